import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { petitionBody } from './support/bodies';
import { ChildService } from './support/child-service';
import { createPostgresTestDatabase, type PostgresTestDatabase } from './support/postgres-test-database';
import { TcpProxy } from './support/tcp-proxy';

/**
 * A store that goes away while the service runs (docs/architecture.md, "When the store goes
 * away"): readiness turns red, commands answer 503 `STORE.UNAVAILABLE` with Retry-After and write
 * nothing, and once the store is back the service recovers by itself, with nothing lost.
 */

jest.setTimeout(120_000);

const RECOVERY_TIMEOUT_MS = 30_000;

async function post(
  service: ChildService,
  path: string,
  body: unknown,
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(`${service.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...service.authorization },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

async function readiness(service: ChildService): Promise<number> {
  const response = await fetch(`${service.url}/health/ready`, { signal: AbortSignal.timeout(10_000) });
  await response.arrayBuffer();
  return response.status;
}

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + RECOVERY_TIMEOUT_MS;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} within ${RECOVERY_TIMEOUT_MS} ms (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('the PostgreSQL store goes away and comes back', () => {
  let database: PostgresTestDatabase;
  let proxy: TcpProxy;
  let service: ChildService;
  let dataDir: string;

  beforeAll(async () => {
    database = await createPostgresTestDatabase();
    const target = new URL(database.url);
    proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
    const throughProxy = new URL(database.url);
    throughProxy.hostname = '127.0.0.1';
    throughProxy.port = String(proxy.port);
    dataDir = mkdtempSync(join(tmpdir(), 'cases-outage-'));
    service = await ChildService.start({
      dataDir,
      env: {
        EVENT_STORE: 'postgres',
        DATABASE_URL: throughProxy.toString(),
        CASES_MASTER_KEY: randomBytes(32).toString('base64'),
        SCHEDULER_INTERVAL_MS: '0',
      },
    });
  });

  afterAll(async () => {
    await service?.kill();
    await proxy?.close();
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 while it is gone, is not ready, and recovers by itself', async () => {
    const before = await post(service, '/api/petitions', petitionBody());
    expect(before.status).toBe(201);
    expect(await readiness(service)).toBe(200);

    proxy.cutOff();
    const during = await post(service, '/api/petitions', petitionBody({ title: '停电期间的来访' }));
    expect(during.status).toBe(503);
    expect(during.body['code']).toBe('STORE.UNAVAILABLE');
    expect(Number(during.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(JSON.stringify(during.body)).not.toMatch(/ECONN|postgres|127\.0\.0\.1|stack/i);
    await eventually(
      () => readiness(service),
      (status) => status === 503,
      'readiness did not turn red',
    );

    proxy.restore();
    await eventually(
      () => readiness(service),
      (status) => status === 200,
      'readiness did not recover',
    );
    const after = await post(service, '/api/petitions', petitionBody({ title: '恢复之后的来访' }));
    expect(after.status).toBe(201);

    // The case written before the outage and the one after are both there; the refused one is not.
    const list = await fetch(`${service.url}/api/cases?minPosition=${String(after.body['position'])}`, { headers: service.authorization });
    const titles = ((await list.json()) as { items: { title: string }[] }).items.map((item) => item.title).sort();
    expect(titles).toEqual([petitionBody().title, '恢复之后的来访'].sort());
  });
});
