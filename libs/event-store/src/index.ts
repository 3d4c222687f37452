export * from './event-store.port';
export * from './sqlite/sqlite-event-store';
export * from './kurrentdb';
export * from './postgres';
export * from './hash-chain';
export * from './store-outage';
