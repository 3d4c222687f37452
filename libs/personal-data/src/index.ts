export * from './sealing';
export * from './person-key-store.port';
export * from './personal-data-vault';
export { SqlitePersonKeyStore } from './sqlite/sqlite-person-key-store';
export { PostgresPersonKeyStore, PERSONAL_DATA_SCHEMA } from './postgres/postgres-person-key-store';
export * from './master-key-rotation';
