import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { isCaseStream } from '@cases/domain';
import { PostgresEventStore } from '@cases/event-store';
import { ProjectionRunner, caseProjections } from '@cases/read-models';
import { openReadModelDatabase } from '@cases/read-models/database/read-model-database';
import { petitionBody } from './support/bodies';
import { ChildService } from './support/child-service';
import { createPostgresTestDatabase, type PostgresTestDatabase } from './support/postgres-test-database';
import { call, signIn } from './support/service-calls';

/**
 * Two service processes on PostgreSQL alone (EVENT_STORE=postgres READ_MODELS=postgres): one holds
 * the projections' lease and applies the log to the shared read models, the other answers its
 * queries by waiting for the shared checkpoints (docs/architecture.md, "Several instances").
 * Commands go to both; the one running the projections is SIGKILLed half-way through a batch
 * (it has committed the case projection's part and waits inside the case-history projection's
 * transaction); the other takes the lease over and carries on with no gap and no event applied
 * twice: the shared read models equal a fresh fold of the whole log, table for table.
 */

jest.setTimeout(240_000);

const DESK = { username: 'desk-takeover', password: 'desk-takeover-password-1' };
/** The case-history projection's batch lock (`lockProjection` on PostgreSQL) as another session waits for it. */
const CASE_HISTORY_LOCK = `hashtext('read-model:case-history')::bigint`;
const WAITING_FOR_CASE_HISTORY = `
  SELECT 1 FROM pg_locks
  WHERE locktype = 'advisory' AND NOT granted AND objsubid = 1
    AND objid = (${CASE_HISTORY_LOCK} & 4294967295)::oid AND classid = ((${CASE_HISTORY_LOCK} >> 32) & 4294967295)::oid
    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
/** What the service logs when it takes the projections' lease (libs/coordination LeaseKeeper). */
const TOOK_PROJECTIONS = 'Lease projections taken';

async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Every row of every read-model table, as sorted JSON lines per table: two databases compare equal when they hold the same rows. */
async function dumpReadModels(url: string): Promise<Record<string, string[]>> {
  const database = openReadModelDatabase({ postgres: url });
  try {
    const tables: Record<string, string[]> = {};
    for (const table of caseProjections().flatMap((projection) => projection.tables)) {
      const rows = await database.db
        .selectFrom(table as 'case_view')
        .selectAll()
        .execute();
      tables[table] = rows
        .map((row) => JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value)))
        .sort();
    }
    return tables;
  } finally {
    await database.close();
  }
}

describe('projections on PostgreSQL: one instance applies them, another takes over when it is killed', () => {
  let database: PostgresTestDatabase;
  let foldDatabase: PostgresTestDatabase;
  const dataDirs: string[] = [];
  const services: ChildService[] = [];
  const masterKey = randomBytes(32).toString('base64');
  const jwtSecret = randomBytes(32).toString('base64');

  async function startInstance(): Promise<ChildService> {
    const dataDir = mkdtempSync(join(tmpdir(), 'cases-takeover-'));
    dataDirs.push(dataDir);
    const service = await ChildService.start({
      dataDir,
      env: {
        EVENT_STORE: 'postgres',
        READ_MODELS: 'postgres',
        DATABASE_URL: database.url,
        CASES_MASTER_KEY: masterKey,
        CASES_JWT_SECRET: jwtSecret,
        SCHEDULER_INTERVAL_MS: '0',
        // A read at B during the takeover waits for it; on a loaded machine that may exceed the default 5 s.
        READ_YOUR_WRITES_TIMEOUT_MS: '20000',
      },
    });
    services.push(service);
    return service;
  }

  beforeAll(async () => {
    database = await createPostgresTestDatabase();
    foldDatabase = await createPostgresTestDatabase();
  });

  afterAll(async () => {
    await Promise.allSettled(services.map((service) => service.kill()));
    await database?.drop();
    await foldDatabase?.drop();
    for (const dataDir of dataDirs) rmSync(dataDir, { recursive: true, force: true });
  });

  it('takes the projections over within seconds of a SIGKILL mid-batch, with no gap and no event applied twice', async () => {
    const a = await startInstance();
    await eventually(() => a.output().includes(TOOK_PROJECTIONS), 15_000, 'the first instance to take the projections');
    const b = await startInstance();
    const created = await call(a, 'POST', '/api/users', a.authorization['authorization'].slice(7), {
      ...DESK,
      displayName: 'Desk',
      role: 'desk',
    });
    expect(created.status).toBe(201);
    const tokens = new Map([
      [a, await signIn(a, DESK.username, DESK.password)],
      [b, await signIn(b, DESK.username, DESK.password)],
    ]);
    const caseIds: string[] = [];
    for (const service of [a, b, a, b]) {
      const registered = await call(service, 'POST', '/api/petitions', tokens.get(service) ?? '', petitionBody());
      expect(registered.status).toBe(201);
      caseIds.push(String(registered.body['id']));
    }
    // B does not run the projections: it reads what A writes.
    expect(b.output()).not.toContain(TOOK_PROJECTIONS);

    // Commands at both instances at once, and at B a read of each of its writes right after it.
    let aAlive = true;
    let driving = true;
    const answersAtB: { status: number; what: string }[] = [];
    let lastReadAtB = 0;
    const driver = async (worker: number): Promise<void> => {
      for (let turn = 0; driving; turn++) {
        const service = aAlive && (worker + turn) % 2 === 0 ? a : b;
        const token = tokens.get(service) ?? '';
        const intake = turn % 4 === 0;
        const caseId = caseIds[(worker + turn) % caseIds.length];
        const command = intake
          ? call(service, 'POST', '/api/petitions', token, petitionBody())
          : call(service, 'POST', `/api/cases/${caseId}/note`, token, { text: `note ${worker}.${turn}` });
        const answer = await command.catch(() => null);
        // A request in flight to the killed instance may or may not have been written: the log decides, below.
        if (service !== b) continue;
        if (answer === null) throw new Error('Instance B did not answer a command');
        answersAtB.push({ status: answer.status, what: 'command' });
        if (intake) caseIds.push(String(answer.body['id']));
        const readId = intake ? String(answer.body['id']) : caseId;
        const read = await call(b, 'GET', `/api/cases/${readId}?minPosition=${String(answer.body['position'])}`, token);
        answersAtB.push({ status: read.status, what: 'read' });
        if (read.status === 200) lastReadAtB = Date.now();
      }
    };
    const drivers = Promise.all(Array.from({ length: 4 }, (_, worker) => driver(worker)));
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    // Hold the case-history projection's lock (the one a batch takes in its transaction) until A waits for it:
    // A has then committed the batch's case-projection part and is inside the case-history part's transaction.
    const blocker = new Client({ connectionString: database.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query(`SELECT pg_advisory_xact_lock(${CASE_HISTORY_LOCK})`);
    await eventually(
      async () => (await blocker.query(WAITING_FOR_CASE_HISTORY)).rowCount === 1,
      15_000,
      'the instance running the projections to wait inside a batch',
    );
    const checkpoints = await blocker.query<{ projection: string; position: string }>(
      'SELECT projection, position FROM projection_checkpoints',
    );
    const at = new Map(checkpoints.rows.map((row) => [row.projection, BigInt(row.position)]));

    aAlive = false;
    await a.kill();
    const killedAt = Date.now();
    await blocker.query('ROLLBACK');
    await blocker.end();
    // The batch was cut between its two projections' transactions: case ahead of case-history.
    expect(at.get('case') ?? 0n).toBeGreaterThan(at.get('case-history') ?? 0n);

    await eventually(() => b.output().includes(TOOK_PROJECTIONS), 15_000, 'instance B to take the projections over');
    const takeoverMs = Date.now() - killedAt;
    await eventually(() => lastReadAtB > killedAt, 15_000, 'a read at B of a write made after the kill');
    const firstFreshReadMs = lastReadAtB - killedAt;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    driving = false;
    await drivers;
    console.log(
      `Projection takeover after SIGKILL: lease taken by B in ${takeoverMs} ms; ` +
        `first read-your-writes answer at B after the kill in ${firstFreshReadMs} ms`,
    );
    expect(takeoverMs).toBeLessThan(10_000);
    // B answered every command and every read of its own writes, across the takeover.
    expect(answersAtB.filter((answer) => answer.status >= 300)).toEqual([]);
    expect(answersAtB.filter((answer) => answer.what === 'read').length).toBeGreaterThan(10);

    // The shared read models against a fresh fold of the whole log into another database.
    const store = await PostgresEventStore.open(database.url);
    try {
      const head = await store.headPosition();
      const health = await b.waitUntilReadModelsCaughtUp(30_000);
      expect((health.readModels ?? []).map((model) => BigInt(model.position))).toEqual([head, head]);
      const log = await store.readAll({ after: 0n, upTo: head, maxCount: 1_000_000 });
      const quiet = { log: () => undefined, error: () => undefined };
      const fold = await ProjectionRunner.open({
        store,
        database: { postgres: foldDatabase.url },
        projections: caseProjections(),
        logger: quiet,
      });
      try {
        fold.start();
        await fold.waitForPosition(head, 30_000);
      } finally {
        await fold.stop();
      }
      const shared = await dumpReadModels(database.url);
      console.log(`Log after the takeover: ${log.length} events; the shared read models compared with a fresh fold`);
      expect(shared['case_history']).toHaveLength(log.filter((event) => isCaseStream(event.streamId)).length);
      expect(shared).toEqual(await dumpReadModels(foldDatabase.url));
    } finally {
      await store.close();
    }
  });
});
