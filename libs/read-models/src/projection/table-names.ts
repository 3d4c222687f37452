/**
 * The names a projection's tables and indexes take in one generation of its read model.
 *
 * Live tables keep their base names, which is all queries ever read. A rebuild creates the next
 * generation beside them as `<base>__rebuild` and, once it has caught up, renames it over the live
 * tables in one transaction. SQLite keeps an index's name through a table rename, so index names
 * carry their generation: the rebuilt tables' indexes never collide with the live ones.
 */
export interface TableNames {
  readonly generation: number;
  table(base: string): string;
  index(base: string): string;
}

const REBUILD_SUFFIX = '__rebuild';

export function liveTableNames(generation: number): TableNames {
  return { generation, table: (base) => base, index: (base) => `${base}_g${generation}` };
}

export function rebuildTableNames(generation: number): TableNames {
  return { generation, table: (base) => `${base}${REBUILD_SUFFIX}`, index: (base) => `${base}_g${generation}` };
}
