import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { Client } from 'pg';
import stringify from 'safe-stable-stringify';
import {
  EVENT_STORE_SCHEMA,
  KurrentDbStartupError,
  PostgresEventStore,
  SqliteEventStore,
  WrongExpectedVersionError,
  openKurrentDbEventStore,
  type EventStore,
  type RecordedEvent,
  type StreamAppend,
} from '@cases/event-store';
import { PostgresPersonKeyStore, SqlitePersonKeyStore, type PersonKey, type PersonKeyStore } from '@cases/personal-data';
import { redactUrl } from '../config/app-config';
import { describeError, sqliteEventLogFile } from '../infrastructure/event-store.provider';
import { PERSON_KEYS_FILE } from '../personal-data/person-key-store.provider';

/*
 * `move-store`: copies a sub-district's whole event log from the embedded SQLite store to
 * PostgreSQL or KurrentDB, through the event-store port, then verifies the copy.
 *
 * What is preserved: every event's id, type, data, personal part and metadata (which holds the
 * business times occurredAt/recordedAt and the hash chain) as they are; each stream's revisions,
 * since every event is appended expecting exactly the revision before it; and the order of the
 * global log, since events are appended in source order, one atomic append after another.
 * What is not: global positions (each store hands out its own: PostgreSQL numbers from a
 * sequence, KurrentDB byte offsets), and, on KurrentDB, `created`, which the server stamps at
 * append and no client can set. On PostgreSQL the copy writes the source's `created` back into
 * the event-store table after appending, so it matches to the millisecond.
 *
 * People's data keys (DATA_DIR/person-keys.db, docs/decisions/0008) are copied first, as they
 * are, into PostgreSQL's `personal_data.person_keys` (the target database, or DATABASE_URL when
 * the log goes to KurrentDB): a key is on the target before any event sealed with it, as on the
 * write path. Keys stay wrapped by the same master key, so the service on the target starts with
 * the master key the embedded store used (CASES_MASTER_KEY, or the content of DATA_DIR/master.key).
 * A key destroyed at the source after an earlier run is destroyed on the target by the next one.
 *
 * Resuming: the target is the record of progress. Because appends land in source order and each
 * is atomic, the target always holds a prefix of the source log; the last source event present
 * there is found by binary search (a handful of reads), checked to be the target's last event,
 * and the copy continues after it. An append that landed although its answer was lost is
 * recognised by its event ids and not stored twice.
 */

export type StoreAddress = { kind: 'sqlite'; dataDir: string } | { kind: 'postgres'; url: string } | { kind: 'kurrentdb'; url: string };
export type TargetAddress = Exclude<StoreAddress, { kind: 'sqlite' }>;

type Env = Record<string, string | undefined>;

export const MOVE_SOURCE_HELP = "the store to copy: 'sqlite' (the log in DATA_DIR) or 'sqlite:<data dir>'";
export const MOVE_TARGET_HELP =
  "the store to copy into: 'postgres' (DATABASE_URL) or a postgres:// URL; 'kurrentdb' (KURRENTDB_URL) or a kurrentdb:// URL";
const STORE_ADDRESS_HELP = 'sqlite, sqlite:<data dir>, postgres, a postgres:// URL, kurrentdb or a kurrentdb:// URL';

const POSTGRES_URL = /^postgres(ql)?:\/\//i;
const KURRENTDB_URL = /^(kurrentdb|kurrent|kdb|esdb)(\+discover)?:\/\//i;

/**
 * Reads a `--from`/`--to` value. A bare kind takes its location from the service's own variable,
 * so a connection string with a password need not appear on the command line (and in `ps`).
 */
export function parseStoreAddress(text: string, env: Env = process.env): StoreAddress {
  const value = text.trim();
  if (value === 'sqlite') return { kind: 'sqlite', dataDir: resolve(env.DATA_DIR || './data') };
  if (value.startsWith('sqlite:')) {
    const dataDir = value.slice('sqlite:'.length);
    if (dataDir === '') throw new Error(`expected sqlite:<data dir>, got '${value}'`);
    return { kind: 'sqlite', dataDir: resolve(dataDir) };
  }
  if (value === 'postgres') return { kind: 'postgres', url: fromEnv(env, 'DATABASE_URL', value) };
  if (POSTGRES_URL.test(value)) return { kind: 'postgres', url: value };
  if (value === 'kurrentdb') return { kind: 'kurrentdb', url: fromEnv(env, 'KURRENTDB_URL', value) };
  if (KURRENTDB_URL.test(value)) return { kind: 'kurrentdb', url: value };
  throw new Error(`expected ${STORE_ADDRESS_HELP}; got '${redactUrl(value)}'`);
}

function fromEnv(env: Env, variable: string, kind: string): string {
  const url = env[variable]?.trim();
  if (!url) throw new Error(`'${kind}' takes its location from ${variable}, which is not set`);
  return url;
}

/** Where a store is, for messages: the connection string without its password. */
export function describeAddress(address: StoreAddress): string {
  return address.kind === 'sqlite' ? `sqlite:${address.dataDir}` : redactUrl(address.url);
}

/** The embedded log in `dataDir`; refuses a folder without one rather than creating an empty store to copy. */
export function openSource(address: StoreAddress): SqliteEventStore {
  if (address.kind !== 'sqlite') {
    throw new Error(`--from: only the embedded SQLite store can be moved from (got ${describeAddress(address)})`);
  }
  const file = sqliteEventLogFile(address.dataDir);
  if (!existsSync(file)) throw new Error(`--from: there is no event log at ${file}`);
  return SqliteEventStore.open(file);
}

export async function openTarget(address: StoreAddress): Promise<EventStore> {
  const where = describeAddress(address);
  try {
    if (address.kind === 'postgres') return await PostgresEventStore.open(address.url);
    if (address.kind === 'kurrentdb') return await openKurrentDbEventStore(address.url);
  } catch (error) {
    // The adapter's own start-up messages name the address and KURRENTDB_URL; here the setting is --to.
    if (error instanceof KurrentDbStartupError) throw new Error(`--to: ${describeError(error).replace(/ ?\(KURRENTDB_URL\)/g, '')}`);
    throw new Error(`--to: ${where} cannot be used: ${describeError(error)}`);
  }
  throw new Error(`--to: the log can be moved to PostgreSQL or KurrentDB only (got ${where})`);
}

export interface MoveProgress {
  phase: 'copy' | 'created' | 'verify';
  /** Source position reached. */
  position: bigint;
  /** Source position the phase runs to. */
  head: bigint;
}

export interface MoveOptions {
  source: EventStore;
  target: EventStore;
  /** Restores each event's `created` on the target after the copy; only PostgreSQL can take it (see `restoreCreatedOnPostgres`). */
  restoreCreated?: (page: RecordedEvent[]) => Promise<number>;
  /** Most events in one append (default 500). */
  maxEventsPerAppend?: number;
  /** Most payload bytes in one append (default 512 KiB, half KurrentDB's default largest append). */
  maxBytesPerAppend?: number;
  /** Stops the copy between two appends; what is copied stays, and the next run resumes after it. */
  signal?: AbortSignal;
  onProgress?: (progress: MoveProgress) => void;
}

export interface MoveResult {
  /** The last source event already on the target when this run started; undefined for a fresh copy. */
  resumedAfter?: { position: bigint; streamId: string; revision: bigint };
  /** Events this run appended, and in how many appends. */
  copied: number;
  appends: number;
  /** The source log's head when the run started: everything up to it is copied unless interrupted. */
  sourceHead: bigint;
  /** True when `signal` stopped the copy before the head: run again to resume. */
  interrupted: boolean;
  /** Target events whose `created` was rewritten (undefined when the target cannot take it). */
  createdRestored?: number;
  /** Undefined when interrupted. */
  verification?: CopyVerification;
}

const PAGE = 1000;
const DEFAULT_MAX_EVENTS_PER_APPEND = 500;
const DEFAULT_MAX_BYTES_PER_APPEND = 512 * 1024;

/** Copies what the target does not have yet, restores `created` where it can, and verifies the copy. */
export async function moveStore(options: MoveOptions): Promise<MoveResult> {
  const { source, target, signal, onProgress } = options;
  const sourceHead = await source.headPosition();
  const resumeFrom = await findResumePoint(source, target, sourceHead);
  const copy = await copyLog(options, resumeFrom?.position ?? 0n, sourceHead);
  const result: MoveResult = {
    ...(resumeFrom ? { resumedAfter: resumeFrom } : {}),
    copied: copy.copied,
    appends: copy.appends,
    sourceHead,
    interrupted: copy.interrupted,
  };
  if (copy.interrupted) return result;
  if (options.restoreCreated) {
    let restored = 0;
    for await (const page of pages(source, sourceHead)) {
      // Harmless to stop here: the next run sets `created` again where it differs.
      if (signal?.aborted) return { ...result, interrupted: true, createdRestored: restored };
      restored += await options.restoreCreated(page);
      onProgress?.({ phase: 'created', position: page[page.length - 1].position, head: sourceHead });
    }
    result.createdRestored = restored;
  }
  if (signal?.aborted) return { ...result, interrupted: true };
  result.verification = await verifyCopy(source, target, {
    compareCreated: options.restoreCreated !== undefined,
    onProgress: (position) => onProgress?.({ phase: 'verify', position, head: sourceHead }),
  });
  return result;
}

/**
 * The last source event already on the target, by binary search over source positions: the target
 * holds a prefix of the source log, so "copied" is true up to some position and false after it.
 * Refuses a target that holds anything else.
 */
export async function findResumePoint(
  source: EventStore,
  target: EventStore,
  sourceHead: bigint,
): Promise<{ position: bigint; streamId: string; revision: bigint } | undefined> {
  const targetHead = await target.headPosition();
  if (targetHead === 0n) return undefined;
  let low = 0n;
  let high = sourceHead;
  let last: { source: RecordedEvent; copy: RecordedEvent } | undefined;
  while (low < high) {
    const middle = (low + high + 1n) / 2n;
    const [event] = await source.readAll({ after: middle - 1n, maxCount: 1 });
    const copy = event === undefined ? undefined : await copyOnTarget(target, event);
    if (event !== undefined && copy !== undefined) {
      low = middle;
      last = { source: event, copy };
    } else {
      high = middle - 1n;
    }
  }
  if (last === undefined) {
    throw new Error('--to: the target already holds events, none of them copied from this source; move into an empty store');
  }
  if (last.copy.position !== targetHead) {
    throw new Error(
      `--to: the target holds events after its copy of source position ${last.source.position}, so it is not an interrupted copy of this ` +
        'source (was a service started on it?); move into an empty store',
    );
  }
  return { position: last.source.position, streamId: last.source.streamId, revision: last.source.revision };
}

/** The target's event at the source event's stream and revision: undefined when there is none, an error when it is another event. */
async function copyOnTarget(target: EventStore, event: RecordedEvent): Promise<RecordedEvent | undefined> {
  const [copy] = await target.readStream(event.streamId, { fromRevision: event.revision, maxCount: 1 });
  if (copy === undefined || copy.revision !== event.revision) return undefined;
  if (!sameId(copy.id, event.id)) {
    throw new Error(
      `--to: stream '${event.streamId}' revision ${event.revision} on the target is event ${copy.id}, not the source's ${event.id}; ` +
        'the target is not a copy of this source',
    );
  }
  return copy;
}

async function copyLog(
  options: MoveOptions,
  after: bigint,
  sourceHead: bigint,
): Promise<{ copied: number; appends: number; interrupted: boolean }> {
  const { source, target, signal, onProgress } = options;
  const maxEvents = options.maxEventsPerAppend ?? DEFAULT_MAX_EVENTS_PER_APPEND;
  const maxBytes = options.maxBytesPerAppend ?? DEFAULT_MAX_BYTES_PER_APPEND;
  let copied = 0;
  let appends = 0;
  const pack = new AppendPack();
  const flush = async (): Promise<void> => {
    if (pack.isEmpty) return;
    const { parts, events } = pack.take();
    try {
      await target.appendMultiple(parts);
    } catch (error) {
      const first = events[0];
      const where = `the append of source positions ${first.position}–${events[events.length - 1].position}`;
      if (error instanceof WrongExpectedVersionError) {
        throw new Error(
          `--to: ${where} was refused: stream '${error.streamId}' on the target is at revision ${String(error.actual)}, ` +
            `not ${String(error.expected)}; something other than this copy writes to the target`,
        );
      }
      throw new Error(`The copy stopped at ${where} (${describeError(error)}); run the same command again to resume`, { cause: error });
    }
    copied += events.length;
    appends += 1;
    onProgress?.({ phase: 'copy', position: events[events.length - 1].position, head: sourceHead });
  };
  onProgress?.({ phase: 'copy', position: after, head: sourceHead });
  for await (const page of pages(source, sourceHead, after)) {
    for (const event of page) {
      if (!pack.accepts(event, maxEvents, maxBytes)) {
        if (signal?.aborted) return { copied, appends, interrupted: true };
        await flush();
      }
      pack.add(event);
    }
  }
  if (signal?.aborted && !pack.isEmpty) return { copied, appends, interrupted: true };
  await flush();
  return { copied, appends, interrupted: false };
}

/**
 * Consecutive source events, as one atomic multi-stream append: a run of one stream is one part,
 * and a stream appears in one part at most (KurrentDB refuses a stream named twice), so a pack
 * ends where the log comes back to a stream it already holds.
 */
class AppendPack {
  private parts: StreamAppend[] = [];
  private events: RecordedEvent[] = [];
  private streams = new Set<string>();
  private bytes = 0;

  get isEmpty(): boolean {
    return this.events.length === 0;
  }

  accepts(event: RecordedEvent, maxEvents: number, maxBytes: number): boolean {
    if (this.isEmpty) return true;
    if (this.events.length >= maxEvents || this.bytes + payloadBytes(event) > maxBytes) return false;
    return this.parts[this.parts.length - 1].streamId === event.streamId || !this.streams.has(event.streamId);
  }

  add(event: RecordedEvent): void {
    const data = { id: event.id, type: event.type, data: event.data, personal: event.personal, metadata: event.metadata };
    const last = this.parts[this.parts.length - 1];
    if (last?.streamId === event.streamId) {
      last.events.push(data);
    } else {
      // Exactly the revision before: a target stream that moved on refuses the append instead of taking it at another revision.
      const expectedRevision = event.revision === 0n ? 'no_stream' : event.revision - 1n;
      this.parts.push({ streamId: event.streamId, events: [data], expectedRevision });
      this.streams.add(event.streamId);
    }
    this.events.push(event);
    this.bytes += payloadBytes(event);
  }

  take(): { parts: StreamAppend[]; events: RecordedEvent[] } {
    const taken = { parts: this.parts, events: this.events };
    this.parts = [];
    this.events = [];
    this.streams = new Set();
    this.bytes = 0;
    return taken;
  }
}

function payloadBytes(event: RecordedEvent): number {
  return Buffer.byteLength(JSON.stringify([event.type, event.data, event.personal, event.metadata]) ?? '');
}

/** The log in pages, after `after` and up to `upTo`. */
async function* pages(store: EventStore, upTo?: bigint, after = 0n): AsyncGenerator<RecordedEvent[]> {
  let position = after;
  for (;;) {
    const page = await store.readAll({ after: position, maxCount: PAGE, ...(upTo === undefined ? {} : { upTo }) });
    if (page.length === 0) return;
    yield page;
    position = page[page.length - 1].position;
  }
}

/**
 * Writes the source events' `created` into PostgreSQL's event-store table (the port has no way
 * to set it: a store stamps its own). One statement per page, touching only rows that differ, so
 * running it again after an interruption is harmless. Answers the rows changed.
 */
export function restoreCreatedOnPostgres(url: string): { restore: (page: RecordedEvent[]) => Promise<number>; close: () => Promise<void> } {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  let connected: Promise<void> | undefined;
  return {
    restore: async (page) => {
      connected ??= client.connect().then(() => undefined);
      await connected;
      const result = await client.query(
        `UPDATE ${EVENT_STORE_SCHEMA}.events AS e SET created = v.created
         FROM unnest($1::uuid[], $2::timestamptz[]) AS v(event_id, created)
         WHERE e.event_id = v.event_id AND e.created IS DISTINCT FROM v.created`,
        [page.map((event) => event.id), page.map((event) => event.created.toISOString())],
      );
      return result.rowCount ?? 0;
    },
    close: async () => {
      if (connected) await client.end().catch(() => undefined);
    },
  };
}

export interface CopyVerification {
  sourceEvents: number;
  targetEvents: number;
  /** sha256 over the log in order: stream, revision, id, type, data, personal, metadata of every event. */
  sourceDigest: string;
  targetDigest: string;
  /** Whether `created` was compared (only where the target keeps the source's). */
  createdCompared: boolean;
  createdMismatches: number;
  /** The first differences found (stream, revision, event id and which fields: never the contents). */
  mismatches: string[];
  ok: boolean;
}

const MAX_REPORTED_MISMATCHES = 10;

/**
 * Walks both logs side by side from the start and compares them event by event, and computes
 * each log's digest. Ids are compared as UUIDs (PostgreSQL gives them back in lower case), and
 * payloads as JSON values (key order aside), which is what every store keeps.
 */
export async function verifyCopy(
  source: EventStore,
  target: EventStore,
  options: { compareCreated?: boolean; onProgress?: (sourcePosition: bigint) => void } = {},
): Promise<CopyVerification> {
  const sourceHash = createHash('sha256');
  const targetHash = createHash('sha256');
  const sourceEvents = eventsOf(source);
  const targetEvents = eventsOf(target);
  const counts = { source: 0, target: 0 };
  let createdMismatches = 0;
  const mismatches: string[] = [];
  const report = (text: string) => {
    if (mismatches.length < MAX_REPORTED_MISMATCHES) mismatches.push(text);
  };
  for (let ordinal = 1; ; ordinal++) {
    const [nextFrom, nextTo] = await Promise.all([sourceEvents.next(), targetEvents.next()]);
    const from = nextFrom.done ? undefined : nextFrom.value;
    const to = nextTo.done ? undefined : nextTo.value;
    if (from === undefined && to === undefined) break;
    if (from) {
      sourceHash.update(digestLine(from));
      counts.source += 1;
      if (counts.source % PAGE === 0) options.onProgress?.(from.position);
    }
    if (to) {
      targetHash.update(digestLine(to));
      counts.target += 1;
    }
    if (from && to) {
      const fields = differingFields(from, to);
      if (options.compareCreated && from.created.getTime() !== to.created.getTime()) {
        createdMismatches += 1;
        fields.push('created');
      }
      if (fields.length > 0)
        report(`event #${ordinal}: source ${describeEvent(from)}, target ${describeEvent(to)}: ${fields.join(', ')} differ`);
    } else if (from) {
      report(`event #${ordinal}: source ${describeEvent(from)} is missing on the target`);
    } else if (to) {
      report(`event #${ordinal}: target ${describeEvent(to)} is not in the source`);
    }
  }
  const sourceDigest = sourceHash.digest('hex');
  const targetDigest = targetHash.digest('hex');
  return {
    sourceEvents: counts.source,
    targetEvents: counts.target,
    sourceDigest,
    targetDigest,
    createdCompared: options.compareCreated === true,
    createdMismatches,
    mismatches,
    ok: mismatches.length === 0 && counts.source === counts.target && sourceDigest === targetDigest,
  };
}

async function* eventsOf(store: EventStore): AsyncGenerator<RecordedEvent> {
  for await (const page of pages(store)) yield* page;
}

/** One event's line of the digest: its place and content, as canonical JSON (sorted keys), ids in lower case. */
export function digestLine(event: RecordedEvent): string {
  const line = stringify([
    event.streamId,
    event.revision.toString(),
    event.id.toLowerCase(),
    event.type,
    event.data ?? null,
    event.personal ?? null,
    event.metadata,
  ]);
  return `${line}\n`;
}

function differingFields(a: RecordedEvent, b: RecordedEvent): string[] {
  const fields: string[] = [];
  if (a.streamId !== b.streamId) fields.push('stream');
  if (a.revision !== b.revision) fields.push('revision');
  if (!sameId(a.id, b.id)) fields.push('id');
  if (a.type !== b.type) fields.push('type');
  if (stringify(a.data ?? null) !== stringify(b.data ?? null)) fields.push('data');
  if (stringify(a.personal ?? null) !== stringify(b.personal ?? null)) fields.push('personal');
  if (stringify(a.metadata) !== stringify(b.metadata)) fields.push('metadata');
  return fields;
}

function describeEvent(event: RecordedEvent): string {
  return `'${event.streamId}' revision ${event.revision} (${event.type}, ${event.id})`;
}

function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The embedded store's key file in `dataDir`, opened; undefined when the folder has none (a log written before sealing). */
export function openSourceKeys(address: StoreAddress): SqlitePersonKeyStore | undefined {
  if (address.kind !== 'sqlite') return undefined;
  const file = join(address.dataDir, PERSON_KEYS_FILE);
  return existsSync(file) ? SqlitePersonKeyStore.open(file) : undefined;
}

/** Where the target's service keeps people's keys: PostgreSQL, the target database or, for KurrentDB, DATABASE_URL. */
export async function openTargetKeys(address: TargetAddress, env: Env): Promise<PostgresPersonKeyStore> {
  const url = address.kind === 'postgres' ? address.url : env.DATABASE_URL?.trim();
  if (!url) {
    throw new Error(
      "--to: people's data keys go to PostgreSQL beside KurrentDB (DATABASE_URL, as the service on KurrentDB reads them), and DATABASE_URL is not set",
    );
  }
  try {
    return await PostgresPersonKeyStore.open(url);
  } catch (error) {
    throw new Error(`--to: the key store at ${redactUrl(url)} cannot be used: ${describeError(error)}`);
  }
}

export interface KeyCopy {
  /** People the source knows, live or destroyed. */
  sourceKeys: number;
  /** Rows this run wrote on the target (new people, or tombstones that replaced a live copy). */
  copied: number;
  /** People whose row on the target differs from the source's (missing, another key, live where the source destroyed it). */
  mismatches: string[];
  ok: boolean;
}

const KEY_PAGE = 500;

/**
 * Copies every person's key row as it is (`PersonKeyStore.copyIn`: idempotent, so a run again
 * copies only what is new), then checks every source row against the target: same case, same
 * wrapped key bytes and master key id, destroyed where the source is. Never prints a key.
 */
export async function copyPersonKeys(
  source: PersonKeyStore,
  target: PersonKeyStore,
  options: { verifyOnly?: boolean } = {},
): Promise<KeyCopy> {
  const listed = await source.list();
  let copied = 0;
  const mismatches: string[] = [];
  for (let start = 0; start < listed.length; start += KEY_PAGE) {
    const rows = (await Promise.all(listed.slice(start, start + KEY_PAGE).map((row) => source.get(row.personId)))).filter(
      (row): row is PersonKey => row !== null,
    );
    if (!options.verifyOnly) copied += await target.copyIn(rows);
    for (const row of rows) {
      const copy = await target.get(row.personId);
      const same =
        copy !== null &&
        copy.status === row.status &&
        copy.caseId === row.caseId &&
        (row.status === 'destroyed' ||
          (copy.status === 'live' && copy.masterKeyId === row.masterKeyId && copy.wrappedKey.equals(row.wrappedKey)));
      if (!same && mismatches.length < MAX_REPORTED_MISMATCHES) {
        mismatches.push(
          `person ${row.personId}: ${copy === null ? 'missing on the target' : `${copy.status} on the target, ${row.status} in the source`}`,
        );
      }
    }
  }
  return { sourceKeys: listed.length, copied, mismatches, ok: mismatches.length === 0 };
}

export interface MoveStoreCommandOptions {
  from: string;
  to: string;
  batch?: number;
  verifyOnly?: boolean;
}

/**
 * `cli move-store`: opens both stores, copies (or with `verifyOnly` only compares), prints a progress
 * bar per phase and the verification, and answers the exit code: 0 verified, 1 a difference, 130
 * interrupted (Ctrl-C stops after the append in flight; a second Ctrl-C ends at once).
 */
export async function runMoveStoreCommand(options: MoveStoreCommandOptions, env: Env = process.env): Promise<number> {
  const from = parseStoreAddress(options.from, env);
  const to = parseStoreAddress(options.to, env);
  if (to.kind === 'sqlite') throw new Error('--to: the log can be moved to PostgreSQL or KurrentDB only');
  const source = openSource(from);
  const stamping = to.kind === 'postgres' ? restoreCreatedOnPostgres(to.url) : undefined;
  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) process.exit(130);
    console.error('\nStopping after the append in flight (Ctrl-C again to quit at once; what is copied stays)…');
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  const bars = new PhaseBars();
  let target: EventStore | undefined;
  const sourceKeys = openSourceKeys(from);
  let targetKeys: PersonKeyStore | undefined;
  try {
    target = await openTarget(to);
    console.log(`${options.verifyOnly ? 'Comparing' : 'Moving'} ${describeAddress(from)} → ${describeAddress(to)}`);
    // Keys first: on the target as on the write path, no event is there before the key it was sealed with.
    let keys: KeyCopy | undefined;
    if (sourceKeys !== undefined) {
      targetKeys = await openTargetKeys(to, env);
      keys = await copyPersonKeys(sourceKeys, targetKeys, { verifyOnly: options.verifyOnly });
      printKeyCopy(keys, options.verifyOnly === true);
    } else {
      console.log(`People's data keys: none to copy (no ${PERSON_KEYS_FILE} in the source folder).`);
    }
    let verification: CopyVerification;
    if (options.verifyOnly) {
      const head = await source.headPosition();
      verification = await verifyCopy(source, target, {
        compareCreated: stamping !== undefined,
        onProgress: (position) => bars.update({ phase: 'verify', position, head }),
      });
      bars.stop(head);
    } else {
      const result = await moveStore({
        source,
        target,
        restoreCreated: stamping?.restore,
        maxEventsPerAppend: options.batch,
        signal: controller.signal,
        onProgress: (progress) => bars.update(progress),
      });
      bars.stop(result.interrupted ? undefined : result.sourceHead);
      if (result.resumedAfter) {
        const { position, streamId, revision } = result.resumedAfter;
        console.log(`Resumed after source position ${position} (stream '${streamId}' revision ${revision}), already on the target.`);
      }
      console.log(`Copied ${result.copied} events in ${result.appends} appends.`);
      if (result.interrupted || !result.verification) {
        console.log('Interrupted: run the same command again to resume.');
        return 130;
      }
      if (result.createdRestored !== undefined) console.log(`created: set to the source's on ${result.createdRestored} target events.`);
      verification = result.verification;
    }
    printVerification(verification, to.kind);
    return verification.ok && (keys?.ok ?? true) ? 0 : 1;
  } finally {
    bars.stop();
    process.off('SIGINT', onInterrupt);
    await sourceKeys?.close();
    await targetKeys?.close();
    await stamping?.close();
    await target?.close();
    await source.close();
  }
}

function printVerification(verification: CopyVerification, targetKind: TargetAddress['kind']): void {
  console.log(`Events: ${verification.sourceEvents} in the source, ${verification.targetEvents} on the target.`);
  console.log(`sha256 of the log (stream, revision, id, type, data, personal, metadata, in order):`);
  console.log(`  source ${verification.sourceDigest}`);
  console.log(`  target ${verification.targetDigest}`);
  if (verification.createdCompared) {
    console.log(
      `created: ${verification.createdMismatches === 0 ? 'the same on every event' : `${verification.createdMismatches} events differ`}.`,
    );
  } else {
    console.log(
      `created: not compared (${targetKind === 'kurrentdb' ? 'KurrentDB stamps its own at append' : 'the target stamps its own'}).`,
    );
  }
  console.log('Positions: each store numbers its own log; the order is the same.');
  for (const mismatch of verification.mismatches) console.error(`difference: ${mismatch}`);
  console.log(verification.ok ? 'Verified: the target holds the same log.' : 'NOT verified: the logs differ.');
}

function printKeyCopy(keys: KeyCopy, verifyOnly: boolean): void {
  const copied = verifyOnly ? '' : `, ${keys.copied} rows written now`;
  console.log(`People's data keys: ${keys.sourceKeys} in the source${copied}.`);
  for (const mismatch of keys.mismatches) console.error(`key difference: ${mismatch}`);
  console.log(
    keys.ok
      ? "Keys verified: the target's key store holds every source key as it is. Start the service there with the same master key (CASES_MASTER_KEY, or the content of DATA_DIR/master.key)."
      : 'Keys NOT verified: the key stores differ.',
  );
}

/** One cli-progress bar per phase, on standard error so the report on standard output stays clean. */
class PhaseBars {
  private bar: SingleBar | undefined;
  private phase: MoveProgress['phase'] | undefined;

  update({ phase, position, head }: MoveProgress): void {
    if (phase !== this.phase) {
      this.stop();
      this.phase = phase;
      this.bar = new SingleBar(
        { format: `${phase.padEnd(7)} [{bar}] {percentage}% | position {value}/{total} | {eta_formatted} left`, hideCursor: true },
        Presets.shades_classic,
      );
      this.bar.start(Number(head), 0);
    }
    this.bar?.setTotal(Number(head));
    this.bar?.update(Number(position));
  }

  /** Ends the bar in progress, first filling it to `head` when the phase finished. */
  stop(head?: bigint): void {
    if (head !== undefined) this.bar?.update(Number(head));
    this.bar?.stop();
    this.bar = undefined;
    this.phase = undefined;
  }
}
