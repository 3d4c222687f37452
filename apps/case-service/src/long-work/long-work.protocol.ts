import { ServiceError } from '@cases/domain';
import { PostgresEventStore, SqliteEventStore, openKurrentDbEventStore, type EventStore } from '@cases/event-store';
import type { EventStoreKind } from '../config/app-config';
import { sqliteEventLogFile } from '../infrastructure/event-store.provider';

/*
 * What the service and its long-work thread say to each other (docs/statistics.md, "Long work"):
 * plain data only, so nothing of one heap is shared with the other.
 */

/** An error as it crosses from the thread: a `ServiceError` keeps its code, status and details. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  status?: number;
  title?: string;
  details?: Record<string, unknown>;
}

export type WorkerMessage =
  | { type: 'progress'; position: bigint; upTo: bigint }
  | { type: 'answer'; answer: unknown }
  | { type: 'failed'; error: WireError }
  | { type: 'warning'; message: string }
  /** The job's answer is out and so is the work it left (a snapshot): the thread takes the next. */
  | { type: 'settled' };

export function toWireError(error: unknown): WireError {
  if (error instanceof ServiceError) {
    const { name, message, code, status, title, details } = error;
    return { name, message, code, status, title, details };
  }
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };
}

/** The job failed on the long-work thread, or the thread itself stopped (a crash, its heap limit). */
export class LongWorkFailedError extends ServiceError {
  constructor(reason: string) {
    super(
      'LONG_WORK.FAILED',
      500,
      'Long work failed',
      `The long job failed and was abandoned (${reason}); the service carries on, and the job may be asked for again`,
    );
  }
}

export function fromWireError(error: WireError): ServiceError {
  if (error.code !== undefined && error.status !== undefined && error.title !== undefined) {
    return new ServiceError(error.code, error.status, error.title, error.message, error.details);
  }
  return new LongWorkFailedError(`${error.name}: ${error.message}`);
}

/** The store settings the thread opens its own connection with. */
export interface LongWorkStoreSettings {
  dataDir: string;
  eventStore: EventStoreKind;
  databaseUrl?: string;
  kurrentDbUrl?: string;
}

/** Connections of the thread's own PostgreSQL pool: one job at a time reads one batch at a time. */
const POSTGRES_POOL_SIZE = 2;

/**
 * The thread's own read connection to the service's event log, without the hash chain (reads
 * strip it anyway, and the thread never appends): SQLite a read-only connection to the same file
 * (WAL lets it read while the service writes), PostgreSQL a small pool of its own, KurrentDB a
 * client of its own. The service opened the store first, so the settings are known to work.
 */
export async function openLongWorkStore(settings: LongWorkStoreSettings): Promise<EventStore> {
  switch (settings.eventStore) {
    case 'sqlite':
      return SqliteEventStore.openReadOnly(sqliteEventLogFile(settings.dataDir));
    case 'postgres':
      return PostgresEventStore.open(settings.databaseUrl as string, { pool: { max: POSTGRES_POOL_SIZE } });
    case 'kurrentdb':
      return openKurrentDbEventStore(settings.kurrentDbUrl as string);
  }
}
