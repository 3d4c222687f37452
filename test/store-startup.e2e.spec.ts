import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { KurrentDbStandIn } from './kurrentdb-stand-in';
import { ChildService, compiledServiceEntryPoint, freePort, repositoryRoot } from './support/child-service';
import { createPostgresTestDatabase, type PostgresTestDatabase } from './support/postgres-test-database';

/**
 * Issue 10 item 5: EVENT_STORE picks the log's store, and a wrong or unreachable setting stops
 * the start with one line naming the setting, never a stack trace. The compiled service runs as
 * a child process, as in production (`npm run build` first).
 */

const EXIT_TIMEOUT_MS = 30_000;

const folders: string[] = [];

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A DATA_DIR that does not exist yet, as on a new machine: the service makes it. */
function dataDir(): string {
  const folder = mkdtempSync(join(tmpdir(), 'store-startup-'));
  folders.push(folder);
  return join(folder, 'data');
}

/** Starts the service with `env` and answers how it ended and what it wrote to standard error; fails if it is still running after the timeout. */
function startExpectingExit(env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [compiledServiceEntryPoint()], {
      cwd: repositoryRoot(),
      env: { ...process.env, NO_COLOR: '1', PORT: '0', DATA_DIR: dataDir(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The service was still running ${EXIT_TIMEOUT_MS} ms after start with ${JSON.stringify(env)}\n${stdout}${stderr}`));
    }, EXIT_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

/** The one line the service must end with, and nothing that looks like a stack frame. */
function expectOneLineFailure(outcome: { code: number | null; stderr: string; stdout: string }, line: RegExp): void {
  expect(outcome.code).toBe(1);
  expect(outcome.stderr.trim().split('\n')).toEqual([expect.stringMatching(line)]);
  expect(`${outcome.stdout}${outcome.stderr}`).not.toMatch(/^\s+at /m);
}

describe('starting with a wrong or unreachable store setting', () => {
  // One process per case, started together: each spends most of its time loading the service.
  it('an unreachable DATABASE_URL or KURRENTDB_URL, for the log or the read models, stops the start with one line naming it', async () => {
    // Ports that were free a moment ago: nothing answers there.
    const [postgresPort, kurrentPort, readModelsPort] = [await freePort(), await freePort(), await freePort()];
    const [postgres, kurrent, readModels] = await Promise.all([
      startExpectingExit({ EVENT_STORE: 'postgres', DATABASE_URL: `postgres://cases:hunter2@127.0.0.1:${postgresPort}/cases` }),
      startExpectingExit({ EVENT_STORE: 'kurrentdb', KURRENTDB_URL: `kurrentdb://127.0.0.1:${kurrentPort}?tls=false` }),
      startExpectingExit({ READ_MODELS: 'postgres', DATABASE_URL: `postgres://cases:hunter2@127.0.0.1:${readModelsPort}/cases` }),
    ]);
    expectOneLineFailure(
      postgres,
      new RegExp(
        `^Configuration DATABASE_URL: PostgreSQL at postgres://cases:\\*\\*\\*@127\\.0\\.0\\.1:${postgresPort}/cases cannot be used: connect ECONNREFUSED`,
      ),
    );
    expect(postgres.stderr).not.toContain('hunter2');
    expectOneLineFailure(
      kurrent,
      new RegExp(
        `^Configuration KURRENTDB_URL: KurrentDB at kurrentdb://127\\.0\\.0\\.1:${kurrentPort}\\?tls=false \\(KURRENTDB_URL\\) did not answer: `,
      ),
    );
    expectOneLineFailure(
      readModels,
      new RegExp(
        `^Configuration DATABASE_URL: PostgreSQL read models at postgres://cases:\\*\\*\\*@127\\.0\\.0\\.1:${readModelsPort}/cases cannot be used: connect ECONNREFUSED`,
      ),
    );
    expect(readModels.stderr).not.toContain('hunter2');
  });
});

/** What a deployment on shared stores must supply instead of generating it into DATA_DIR. */
function productionSecrets(): Record<string, string> {
  return { CASES_MASTER_KEY: randomBytes(32).toString('base64'), CASES_JWT_SECRET: randomBytes(32).toString('hex') };
}

describe('starting on the production stores', () => {
  let database: PostgresTestDatabase | undefined;
  let standIn: KurrentDbStandIn | undefined;
  let service: ChildService | undefined;

  afterEach(async () => {
    await service?.stop();
    service = undefined;
    await database?.drop();
    database = undefined;
    await standIn?.stop();
    standIn = undefined;
  });

  it('EVENT_STORE=postgres READ_MODELS=postgres keeps the log and the read models in PostgreSQL: nothing of theirs in DATA_DIR', async () => {
    database = await createPostgresTestDatabase();
    const folder = dataDir();
    service = await ChildService.start({
      dataDir: folder,
      env: { ...productionSecrets(), EVENT_STORE: 'postgres', READ_MODELS: 'postgres', DATABASE_URL: database.url },
    });
    expect((await service.waitUntilHealthy(10_000)).store.status).toBe('up');
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ stream_id: string; events: string }>(
        'SELECT stream_id, count(*) AS events FROM event_store.events GROUP BY stream_id ORDER BY stream_id',
      );
      expect(rows.map((row) => row.stream_id)).toContain('directory-default');
      const checkpoints = await client.query<{ projection: string }>('SELECT projection FROM projection_checkpoints ORDER BY projection');
      expect(checkpoints.rows.map((row) => row.projection)).toEqual(['case', 'case-history']);
    } finally {
      await client.end();
    }
    expect(existsSync(join(folder, 'events.db'))).toBe(false);
    expect(existsSync(join(folder, 'read-models.db'))).toBe(false);
  });

  it('EVENT_STORE=kurrentdb READ_MODELS=postgres keeps the log in KurrentDB (the test stand-in) and the read models in PostgreSQL', async () => {
    standIn = await KurrentDbStandIn.start();
    // People's data keys live in PostgreSQL whenever the log is not embedded.
    database = await createPostgresTestDatabase();
    service = await ChildService.start({
      dataDir: dataDir(),
      env: {
        ...productionSecrets(),
        EVENT_STORE: 'kurrentdb',
        READ_MODELS: 'postgres',
        KURRENTDB_URL: standIn.url,
        DATABASE_URL: database.url,
      },
    });
    expect((await service.waitUntilHealthy(10_000)).store.status).toBe('up');
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const checkpoints = await client.query<{ projection: string }>('SELECT projection FROM projection_checkpoints ORDER BY projection');
      expect(checkpoints.rows.map((row) => row.projection)).toEqual(['case', 'case-history']);
    } finally {
      await client.end();
    }
    const streams = new Set(Array.from({ length: standIn.log.length }, (_, index) => standIn?.log.at(index).streamId));
    expect(streams).toContain('directory-default');
  });
});
