import { sql, type ColumnDataType, type Expression } from 'kysely';
import type { ReadModelDialect } from './read-model-database';

/**
 * A 64-bit integer column. SQLite's must be declared exactly `integer`: only then is an integer
 * primary key the table's rowid, which keeps rows in key order without a second tree.
 */
export function integerType(dialect: ReadModelDialect): ColumnDataType {
  return dialect === 'sqlite' ? 'integer' : 'bigint';
}

/**
 * A UTC ISO-8601 time stored as text, which sorts and compares as text: byte order on
 * PostgreSQL too, whatever the database's collation would make of the digits and punctuation.
 */
export function timeType(dialect: ReadModelDialect): ColumnDataType | Expression<unknown> {
  return dialect === 'sqlite' ? 'text' : sql`text collate "C"`;
}

/** `items` in slices of at most `size`. */
export function* chunked<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}
