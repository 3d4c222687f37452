import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { caseNumberStreamId, caseStreamId } from '@cases/domain';
import {
  HashChainedEventStore,
  PostgresEventStore,
  SqliteEventStore,
  openKurrentDbEventStore,
  type AppendResult,
  type EventData,
  type EventStore,
  type RecordedEvent,
  type StreamAppend,
} from '@cases/event-store';
import {
  describeAddress,
  findResumePoint,
  moveStore,
  parseStoreAddress,
  restoreCreatedOnPostgres,
  runMoveStoreCommand,
  verifyCopy,
  type MoveOptions,
  type MoveResult,
} from '../apps/case-service/src/cli/move-store';
import { KurrentDbStandIn } from './kurrentdb-stand-in';
import { petitionBody } from './support/bodies';
import { ADMIN, DESK, TestApp, expectStatus } from './support/test-app';
import { createPostgresTestDatabase, type PostgresTestDatabase } from './support/postgres-test-database';

/**
 * Issue 10 item 7: `cli move-store` copies a sub-district's log from the embedded store to
 * PostgreSQL or KurrentDB (here the gRPC test stand-in, driven through the real client), keeping
 * ids, order, revisions and metadata, resumes an interrupted copy without storing anything twice,
 * and verifies the copy. Each test writes its own source log in a fresh folder and copies it into
 * a fresh database or stand-in.
 */

const ORG = 'yanta';
const CASES = 120;
/** Small appends, so a copy of the test log takes dozens of them and can be interrupted in the middle. */
const EVENTS_PER_APPEND = 40;
/** The source's `created`, set into the past so a copy stamped "now" cannot pass for preserved. */
const SOURCE_EPOCH = Date.parse('2024-03-01T08:00:00.000Z');

interface SourceLog {
  dataDir: string;
  events: number;
  streams: number;
}

const folders: string[] = [];

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/**
 * A log shaped like the service's: the organisation's directory stream, each intake an atomic
 * append to a new case stream and the year's case-number stream, then rounds of follow-ups that
 * interleave the cases; every append hash-chained as the service does. Personal data, Chinese
 * text, nested metadata and nulls included. `created` is then spread over past days.
 */
async function writeSourceLog(): Promise<SourceLog> {
  const dataDir = mkdtempSync(join(tmpdir(), 'move-store-'));
  folders.push(dataDir);
  const file = join(dataDir, 'events.db');
  const store = new HashChainedEventStore(SqliteEventStore.open(file));
  const actor = { id: 'desk-1', role: 'registrar', unit: 'U01' };
  const event = (caseId: string | null, type: string, data: unknown, personal: unknown = null): EventData => ({
    id: randomUUID(),
    type,
    data,
    personal,
    metadata: {
      schemaVersion: 1,
      orgId: ORG,
      ...(caseId ? { caseId } : {}),
      command: type,
      actor,
      occurredAt: new Date(SOURCE_EPOCH).toISOString(),
      recordedAt: new Date(SOURCE_EPOCH + 1000).toISOString(),
      correlationId: randomUUID(),
      causationId: null,
    },
  });
  try {
    await store.append(
      `directory-${ORG}`,
      [
        event(null, 'UnitRegistered', { code: 'U01', name: '城管执法中队', type: 'department' }),
        event(null, 'UserRegistered', { username: 'desk' }),
      ],
      'no_stream',
    );
    const caseIds: string[] = [];
    for (let n = 0; n < CASES; n++) {
      const caseId = randomUUID();
      caseIds.push(caseId);
      const personal = n % 3 === 0 ? null : { name: `市民${n}`, phone: `1380000${String(n).padStart(4, '0')}` };
      await store.appendMultiple([
        {
          streamId: caseStreamId(caseId),
          events: [
            event(
              caseId,
              'CaseRegistered',
              { kind: 'petition', title: `占道经营 #${n}`, tags: ['市容', n], urgent: n % 5 === 0 },
              personal,
            ),
          ],
          expectedRevision: 'no_stream',
        },
        { streamId: caseNumberStreamId(ORG, 'petition', 2024), events: [event(null, 'CaseNumberTaken', { caseId, sequence: n + 1 })] },
      ]);
    }
    for (let round = 0; round < 3; round++) {
      // Different streams in parallel: one group commit, the cases interleaved in the log.
      await Promise.all(
        caseIds.map((caseId, n) => {
          const follow = [event(caseId, 'CaseProgressed', { round, note: `第${round}次处理`, nested: { a: [1, { b: null }] } })];
          if ((n + round) % 4 === 0) follow.push(event(caseId, 'CaseReplied', { round, reply: '已处理' }, { name: `市民${n}` }));
          return store.append(caseStreamId(caseId), follow);
        }),
      );
    }
  } finally {
    await store.close();
  }
  const db = new Database(file);
  try {
    // Past commit times, one minute apart, in log order.
    db.prepare(`UPDATE events SET created = strftime('%Y-%m-%dT%H:%M:%fZ', ? / 1000.0 + position * 60, 'unixepoch')`).run(SOURCE_EPOCH);
    const { events, streams } = db.prepare('SELECT count(*) AS events, count(DISTINCT stream_id) AS streams FROM events').get() as {
      events: number;
      streams: number;
    };
    return { dataDir, events, streams };
  } finally {
    db.close();
  }
}

function openSourceStore(source: SourceLog): SqliteEventStore {
  return SqliteEventStore.open(join(source.dataDir, 'events.db'));
}

async function readWholeLog(store: EventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll({ after: events.at(-1)?.position ?? 0n, maxCount: 1000 });
    if (page.length === 0) return events;
    events.push(...page);
  }
}

/** What a copy must keep of each event, in log order (positions are each store's own). */
function content(events: RecordedEvent[], withCreated: boolean) {
  return events.map((event) => ({
    streamId: event.streamId,
    revision: event.revision,
    id: event.id.toLowerCase(),
    type: event.type,
    data: event.data,
    personal: event.personal,
    metadata: event.metadata,
    ...(withCreated ? { created: event.created.toISOString() } : {}),
  }));
}

/** Checks the copy independently of the tool's own verification: same events in the same order, chains intact, positions increasing. */
async function expectFaithfulCopy(source: EventStore, target: EventStore, withCreated: boolean): Promise<void> {
  const [fromSource, onTarget] = await Promise.all([readWholeLog(source), readWholeLog(target)]);
  expect(onTarget.length).toBe(fromSource.length);
  expect(content(onTarget, withCreated)).toEqual(content(fromSource, withCreated));
  for (let index = 1; index < onTarget.length; index++) expect(onTarget[index].position > onTarget[index - 1].position).toBe(true);
  expect((await new HashChainedEventStore(target).verifyChain()).problems).toEqual([]);
}

function expectVerified(result: MoveResult, source: SourceLog, createdCompared: boolean): void {
  expect(result.interrupted).toBe(false);
  expect(result.verification).toMatchObject({
    sourceEvents: source.events,
    targetEvents: source.events,
    createdCompared,
    createdMismatches: 0,
    mismatches: [],
    ok: true,
  });
  expect(result.verification?.targetDigest).toBe(result.verification?.sourceDigest);
  expect(result.verification?.sourceDigest).toMatch(/^[0-9a-f]{64}$/);
}

/** The target as seen by the copy, with each append's answer lost after the store committed it, from the `failFrom`-th append on. */
function losingAnswersFrom(target: EventStore, failFrom: number): EventStore & { committedWithoutAnswer: number } {
  let appends = 0;
  const wrapper = {
    committedWithoutAnswer: 0,
    append: (...args: Parameters<EventStore['append']>) => target.append(...args),
    appendMultiple: async (parts: StreamAppend[]): Promise<AppendResult[]> => {
      const results = await target.appendMultiple(parts);
      appends += 1;
      if (appends >= failFrom) {
        wrapper.committedWithoutAnswer += 1;
        throw new Error('connection reset while reading the answer');
      }
      return results;
    },
    readStream: (...args: Parameters<EventStore['readStream']>) => target.readStream(...args),
    readAll: (...args: Parameters<EventStore['readAll']>) => target.readAll(...args),
    headPosition: () => target.headPosition(),
    subscribeToAll: (...args: Parameters<EventStore['subscribeToAll']>) => target.subscribeToAll(...args),
    ping: () => target.ping(),
    close: () => target.close(),
  };
  return wrapper;
}

describe('move-store: addresses', () => {
  it('reads sqlite, postgres and kurrentdb addresses, bare ones from the service variables', () => {
    const env = {
      DATA_DIR: '/srv/cases',
      DATABASE_URL: 'postgres://cases:secret@db/cases',
      KURRENTDB_URL: 'kurrentdb://kdb:2113?tls=false',
    };
    expect(parseStoreAddress('sqlite', env)).toEqual({ kind: 'sqlite', dataDir: '/srv/cases' });
    expect(parseStoreAddress('sqlite:/var/lib/cases', env)).toEqual({ kind: 'sqlite', dataDir: '/var/lib/cases' });
    expect(parseStoreAddress('postgres', env)).toEqual({ kind: 'postgres', url: 'postgres://cases:secret@db/cases' });
    expect(parseStoreAddress('postgresql://other/db', env)).toEqual({ kind: 'postgres', url: 'postgresql://other/db' });
    expect(parseStoreAddress('kurrentdb', env)).toEqual({ kind: 'kurrentdb', url: 'kurrentdb://kdb:2113?tls=false' });
    expect(parseStoreAddress('kurrentdb+discover://a:2113,b:2113', env)).toEqual({
      kind: 'kurrentdb',
      url: 'kurrentdb+discover://a:2113,b:2113',
    });
    expect(describeAddress(parseStoreAddress('postgres', env))).toBe('postgres://cases:***@db/cases');
  });

  it('refuses what it cannot read, never echoing a password', () => {
    expect(() => parseStoreAddress('postgres', {})).toThrow("'postgres' takes its location from DATABASE_URL, which is not set");
    expect(() => parseStoreAddress('kurrentdb', {})).toThrow("'kurrentdb' takes its location from KURRENTDB_URL, which is not set");
    expect(() => parseStoreAddress('sqlite:', {})).toThrow('expected sqlite:<data dir>');
    expect(() => parseStoreAddress('mysql://root:hunter2@db/x', {})).toThrow(/got 'mysql:\/\/root:\*\*\*@db\/x'/);
  });
});

describe('move-store: SQLite → PostgreSQL', () => {
  let database: PostgresTestDatabase | undefined;

  afterEach(async () => {
    await database?.drop();
    database = undefined;
  });

  async function copyInto(url: string, source: SqliteEventStore, options: Partial<MoveOptions> = {}) {
    const target = await PostgresEventStore.open(url);
    const stamping = restoreCreatedOnPostgres(url);
    try {
      const result = await moveStore({
        source,
        target,
        restoreCreated: stamping.restore,
        maxEventsPerAppend: EVENTS_PER_APPEND,
        ...options,
      });
      return { result, target };
    } catch (error) {
      await target.close();
      throw error;
    } finally {
      await stamping.close();
    }
  }

  it('copies the whole log into a fresh database: ids, order, revisions, metadata and created, verified', async () => {
    const log = await writeSourceLog();
    database = await createPostgresTestDatabase();
    const source = openSourceStore(log);
    try {
      const { result, target } = await copyInto(database.url, source);
      try {
        expect(result.resumedAfter).toBeUndefined();
        expect(result.copied).toBe(log.events);
        expect(result.appends).toBeGreaterThanOrEqual(Math.ceil(log.events / EVENTS_PER_APPEND));
        expect(result.createdRestored).toBe(log.events);
        expectVerified(result, log, true);
        await expectFaithfulCopy(source, target, true);
      } finally {
        await target.close();
      }
    } finally {
      await source.close();
    }
  });

  it('stopped between two appends, resumes after the last event on the target and stores nothing twice', async () => {
    const log = await writeSourceLog();
    database = await createPostgresTestDatabase();
    const source = openSourceStore(log);
    try {
      const controller = new AbortController();
      let appendsSeen = 0;
      const first = await copyInto(database.url, source, {
        signal: controller.signal,
        onProgress: (progress) => {
          if (progress.phase === 'copy' && progress.position > 0n && ++appendsSeen === 5) controller.abort();
        },
      });
      await first.target.close();
      expect(first.result.interrupted).toBe(true);
      expect(first.result.verification).toBeUndefined();
      expect(first.result.copied).toBeGreaterThan(0);
      expect(first.result.copied).toBeLessThan(log.events);

      const second = await copyInto(database.url, source);
      try {
        const sourceEvents = await readWholeLog(source);
        const lastCopied = sourceEvents[first.result.copied - 1];
        expect(second.result.resumedAfter).toEqual({
          position: lastCopied.position,
          streamId: lastCopied.streamId,
          revision: lastCopied.revision,
        });
        expect(first.result.copied + second.result.copied).toBe(log.events);
        expectVerified(second.result, log, true);
        await expectFaithfulCopy(source, second.target, true);
      } finally {
        await second.target.close();
      }
    } finally {
      await source.close();
    }
  });

  it('after an append committed whose answer was lost, the next run finds it on the target and goes on', async () => {
    const log = await writeSourceLog();
    database = await createPostgresTestDatabase();
    const source = openSourceStore(log);
    const target = await PostgresEventStore.open(database.url);
    try {
      const flaky = losingAnswersFrom(target, 3);
      await expect(moveStore({ source, target: flaky, maxEventsPerAppend: EVENTS_PER_APPEND })).rejects.toThrow(
        /^The copy stopped at the append of source positions \d+–\d+ \(connection reset while reading the answer\); run the same command again to resume$/,
      );
      expect(flaky.committedWithoutAnswer).toBe(1);
      const resumed = await moveStore({ source, target, maxEventsPerAppend: EVENTS_PER_APPEND });
      expect(resumed.resumedAfter).toBeDefined();
      expect(resumed.copied).toBeLessThan(log.events);
      expectVerified(resumed, log, false);
      await expectFaithfulCopy(source, target, false);
    } finally {
      await target.close();
      await source.close();
    }
  });

  it('refuses a target holding other events, and reports a target that differs', async () => {
    const log = await writeSourceLog();
    database = await createPostgresTestDatabase();
    const source = openSourceStore(log);
    const target = await PostgresEventStore.open(database.url);
    try {
      await target.append(`case-${randomUUID()}`, [{ id: randomUUID(), type: 'CaseRegistered', data: {}, personal: null, metadata: {} }]);
      await expect(moveStore({ source, target })).rejects.toThrow(
        '--to: the target already holds events, none of them copied from this source; move into an empty store',
      );
      const verification = await verifyCopy(source, target);
      expect(verification.ok).toBe(false);
      expect(verification.targetEvents).toBe(1);
      expect(verification.sourceEvents).toBe(log.events);
      expect(verification.targetDigest).not.toBe(verification.sourceDigest);
      expect(verification.mismatches[0]).toMatch(
        /^event #1: source 'directory-yanta' revision 0 \(UnitRegistered, [0-9a-f-]{36}\), target 'case-/,
      );
      expect(verification.mismatches.join('\n')).not.toMatch(/市民|城管/);
    } finally {
      await target.close();
      await source.close();
    }
  });

  it('refuses to resume onto a target where something else appended after the copy', async () => {
    const log = await writeSourceLog();
    database = await createPostgresTestDatabase();
    const source = openSourceStore(log);
    const target = await PostgresEventStore.open(database.url);
    try {
      const controller = new AbortController();
      await moveStore({
        source,
        target,
        maxEventsPerAppend: EVENTS_PER_APPEND,
        signal: controller.signal,
        onProgress: (progress) => {
          if (progress.position > 0n) controller.abort();
        },
      });
      await target.append(`case-${randomUUID()}`, [{ id: randomUUID(), type: 'CaseRegistered', data: {}, personal: null, metadata: {} }]);
      await expect(findResumePoint(source, target, await source.headPosition())).rejects.toThrow(
        /^--to: the target holds events after its copy of source position \d+, so it is not an interrupted copy of this source/,
      );
    } finally {
      await target.close();
      await source.close();
    }
  });
});

describe('move-store: the command', () => {
  let database: PostgresTestDatabase | undefined;

  afterEach(async () => {
    jest.restoreAllMocks();
    await database?.drop();
    database = undefined;
  });

  /** Runs the command as `cli move-store` does and answers its exit code and what it printed. */
  async function run(options: Parameters<typeof runMoveStoreCommand>[0], env: Record<string, string>) {
    const printed: string[] = [];
    jest.spyOn(console, 'log').mockImplementation((line: unknown) => void printed.push(String(line)));
    jest.spyOn(console, 'error').mockImplementation((line: unknown) => void printed.push(String(line)));
    const code = await runMoveStoreCommand(options, env);
    jest.restoreAllMocks();
    return { code, output: printed.join('\n') };
  }

  it('moves DATA_DIR into DATABASE_URL, reports the digests, and a second run finds nothing left to copy', async () => {
    const log = await writeSourceLog();
    database = await createPostgresTestDatabase();
    const env = { DATA_DIR: log.dataDir, DATABASE_URL: database.url };

    const first = await run({ from: 'sqlite', to: 'postgres', batch: 100 }, env);
    expect(first.code).toBe(0);
    expect(first.output).toContain(`Moving sqlite:${log.dataDir} → ${database.url}`);
    expect(first.output).toContain(`Copied ${log.events} events in `);
    expect(first.output).toContain(`created: set to the source's on ${log.events} target events.`);
    expect(first.output).toContain(`Events: ${log.events} in the source, ${log.events} on the target.`);
    const [, sourceDigest] = /source ([0-9a-f]{64})/.exec(first.output) ?? [];
    expect(first.output).toContain(`target ${sourceDigest}`);
    expect(first.output).toContain('created: the same on every event.');
    expect(first.output).toContain('Verified: the target holds the same log.');

    const again = await run({ from: `sqlite:${log.dataDir}`, to: database.url }, {});
    expect(again.code).toBe(0);
    expect(again.output).toMatch(/Resumed after source position \d+ \(stream '.+' revision \d+\), already on the target\./);
    expect(again.output).toContain('Copied 0 events in 0 appends.');
    expect(again.output).toContain(`source ${sourceDigest}`);

    const verifyOnly = await run({ from: 'sqlite', to: 'postgres', verifyOnly: true }, env);
    expect(verifyOnly.code).toBe(0);
    expect(verifyOnly.output).toContain(`Comparing sqlite:${log.dataDir} → ${database.url}`);
    expect(verifyOnly.output).not.toContain('Copied');
    expect(verifyOnly.output).toContain('Verified: the target holds the same log.');
  });

  it('answers 1 and names the differences when the target differs', async () => {
    const log = await writeSourceLog();
    database = await createPostgresTestDatabase();
    const target = await PostgresEventStore.open(database.url);
    await target.append(`case-${randomUUID()}`, [{ id: randomUUID(), type: 'CaseRegistered', data: {}, personal: null, metadata: {} }]);
    await target.close();
    const outcome = await run({ from: 'sqlite', to: 'postgres', verifyOnly: true }, { DATA_DIR: log.dataDir, DATABASE_URL: database.url });
    expect(outcome.code).toBe(1);
    expect(outcome.output).toMatch(/^difference: event #1: source 'directory-yanta' revision 0/m);
    expect(outcome.output).toContain('NOT verified: the logs differ.');
  });

  it('refuses a folder without an event log and a target it cannot reach, naming the option', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'move-store-empty-'));
    folders.push(empty);
    await expect(run({ from: `sqlite:${empty}`, to: 'postgres://postgres@127.0.0.1:1/none' }, {})).rejects.toThrow(
      `--from: there is no event log at ${join(empty, 'events.db')}`,
    );
    const log = await writeSourceLog();
    await expect(run({ from: `sqlite:${log.dataDir}`, to: 'postgres://cases:hunter2@127.0.0.1:1/none' }, {})).rejects.toThrow(
      '--to: postgres://cases:***@127.0.0.1:1/none cannot be used: connect ECONNREFUSED 127.0.0.1:1',
    );
    await expect(run({ from: `sqlite:${log.dataDir}`, to: 'kurrentdb://127.0.0.1:1?tls=false' }, {})).rejects.toThrow(
      /^--to: KurrentDB at kurrentdb:\/\/127\.0\.0\.1:1\?tls=false did not answer: /,
    );
  });
});

describe('move-store: SQLite → KurrentDB (test stand-in over the real client)', () => {
  const standIns: KurrentDbStandIn[] = [];

  afterEach(async () => {
    await Promise.all(standIns.splice(0).map((standIn) => standIn.stop()));
  });

  async function startStandIn(log?: KurrentDbStandIn['log']): Promise<KurrentDbStandIn> {
    const standIn = await KurrentDbStandIn.start(log ? { log } : {});
    standIns.push(standIn);
    return standIn;
  }

  it('copies the whole log: ids, order, revisions and metadata, verified (created is the server’s own)', async () => {
    const log = await writeSourceLog();
    const standIn = await startStandIn();
    const source = openSourceStore(log);
    const target = await openKurrentDbEventStore(standIn.url);
    try {
      const result = await moveStore({ source, target, maxEventsPerAppend: EVENTS_PER_APPEND });
      expect(result.copied).toBe(log.events);
      expect(result.createdRestored).toBeUndefined();
      expectVerified(result, log, false);
      await expectFaithfulCopy(source, target, false);
    } finally {
      await target.close();
      await source.close();
    }
  });

  it('when the server goes away mid-copy, a run against the restarted server resumes and completes it', async () => {
    const log = await writeSourceLog();
    const first = await startStandIn();
    const source = openSourceStore(log);
    let target = await openKurrentDbEventStore(first.url);
    try {
      let appendsSeen = 0;
      await expect(
        moveStore({
          source,
          target,
          maxEventsPerAppend: EVENTS_PER_APPEND,
          onProgress: (progress) => {
            if (progress.phase === 'copy' && progress.position > 0n && ++appendsSeen === 4) void first.stop();
          },
        }),
      ).rejects.toThrow(/^The copy stopped at the append of source positions \d+–\d+ \(.+\); run the same command again to resume$/);
      await target.close();
      const second = await startStandIn(first.log);
      target = await openKurrentDbEventStore(second.url);
      const resumed = await moveStore({ source, target, maxEventsPerAppend: EVENTS_PER_APPEND });
      expect(resumed.resumedAfter).toBeDefined();
      expect(resumed.copied).toBeLessThan(log.events);
      expectVerified(resumed, log, false);
      await expectFaithfulCopy(source, target, false);
    } finally {
      await target.close();
      await source.close();
    }
  });
});

describe('move-store: people’s data keys go with the log', () => {
  let database: PostgresTestDatabase | undefined;

  afterEach(async () => {
    jest.restoreAllMocks();
    await database?.drop();
    database = undefined;
  });

  it('copies person-keys.db into PostgreSQL, so the sealed people are still revealed, and destroyed ones stay destroyed', async () => {
    const petitioner = { name: '欧阳明远', phone: '13698765432' };
    const embedded = await TestApp.start();
    folders.push(embedded.dataDir);
    const kept = (await embedded.intake('petition', petitionBody({ petitioner }))).body.id;
    const shredded = (await embedded.intake('petition', petitionBody({ petitioner: { name: '司马清扬', phone: '15887654321' } }))).body.id;
    const shreddedPerson = (await embedded.view(shredded)).personal.petitioner.personId;
    expectStatus(
      await embedded.post(`/api/personal-data/${shreddedPerson}/destroy`, { reason: '当事人申请删除个人信息' }, { as: ADMIN }),
      200,
    );
    // Stop the embedded service, keeping its folder: the log, the key file and the generated master key.
    await embedded.app.close();
    const masterKey = readFileSync(join(embedded.dataDir, 'master.key'), 'utf8').trim();

    database = await createPostgresTestDatabase();
    const printed: string[] = [];
    jest.spyOn(console, 'log').mockImplementation((line: unknown) => void printed.push(String(line)));
    jest.spyOn(console, 'error').mockImplementation((line: unknown) => void printed.push(String(line)));
    const code = await runMoveStoreCommand({ from: `sqlite:${embedded.dataDir}`, to: database.url }, {});
    const again = await runMoveStoreCommand({ from: `sqlite:${embedded.dataDir}`, to: database.url }, {});
    jest.restoreAllMocks();
    expect({ code, again }).toEqual({ code: 0, again: 0 });
    const output = printed.join('\n');
    expect(output).toContain("People's data keys: 2 in the source, 2 rows written now.");
    expect(output).toContain("People's data keys: 2 in the source, 0 rows written now.");
    expect(output).toContain("Keys verified: the target's key store holds every source key as it is.");
    expect(output).not.toContain(masterKey);

    // The service on PostgreSQL, with the master key the embedded store used.
    const moved = await TestApp.start({ env: { EVENT_STORE: 'postgres', DATABASE_URL: database.url, CASES_MASTER_KEY: masterKey } });
    try {
      const revealed = await moved.get(`/api/cases/${kept}?reveal=personal&reason=${encodeURIComponent('回访核实')}`, DESK);
      expectStatus(revealed, 200);
      expect(revealed.body.personal.petitioner).toMatchObject(petitioner);
      expect((await moved.view(shredded)).personal.petitioner).toMatchObject({ destroyed: true, name: '（已销毁）' });
    } finally {
      await moved.stop();
    }
  });
});
