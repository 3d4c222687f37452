import {
  OperationNodeTransformer,
  TableNode,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';

class RenameTables extends OperationNodeTransformer {
  constructor(private readonly names: ReadonlyMap<string, string>) {
    super();
  }

  protected override transformTable(node: TableNode): TableNode {
    const renamed = node.table.schema ? undefined : this.names.get(node.table.identifier.name);
    return renamed === undefined ? super.transformTable(node) : TableNode.create(renamed);
  }
}

/**
 * Makes queries written against the live table names (`ReadModelTables`) reach another generation
 * of the tables, e.g. `case_view` → `case_view__rebuild`: a projection writes its rows once, with
 * the same typed queries, whichever tables a rebuild builds. Only the base names given are
 * renamed; aliases and `excluded` are left alone.
 */
export class TableNamesPlugin implements KyselyPlugin {
  private readonly transformer: RenameTables;

  constructor(names: ReadonlyMap<string, string>) {
    this.transformer = new RenameTables(names);
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.transformer.transformNode(args.node, args.queryId);
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}
