export * from './postgres-event-store';
export { EVENT_STORE_CHANNEL, EVENT_STORE_LOCK_SPACE, EVENT_STORE_SCHEMA, migratePostgresEventStore } from './postgres-schema';
