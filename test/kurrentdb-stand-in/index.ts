// TEST STAND-IN, not KurrentDB: see kurrentdb-stand-in.ts for what it serves and what it does not.
export { KurrentDbStandIn, type KurrentDbStandInOptions } from './kurrentdb-stand-in';
export { InMemoryLog, type LoggedEvent } from './in-memory-log';
