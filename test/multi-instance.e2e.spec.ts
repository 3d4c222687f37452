import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { petitionBody } from './support/bodies';
import { ChildService } from './support/child-service';
import { createPostgresTestDatabase, type PostgresTestDatabase } from './support/postgres-test-database';
import { call, signIn } from './support/service-calls';

/**
 * Two service processes on one PostgreSQL event store, as behind a load balancer
 * (docs/architecture.md, "Several instances"): they start together on an empty store, a write on
 * one is read on the other by waiting for the position it answered, concurrent intakes at both
 * share one gapless numbering, and concurrent commands on one case at both never lose an update.
 */

jest.setTimeout(180_000);

const DESK = { username: 'desk-multi', password: 'desk-multi-password-1' };

describe('several instances on one PostgreSQL store', () => {
  let database: PostgresTestDatabase;
  const dataDirs: string[] = [];
  const services: ChildService[] = [];

  async function startInstance(): Promise<ChildService> {
    const dataDir = mkdtempSync(join(tmpdir(), 'cases-multi-'));
    dataDirs.push(dataDir);
    const service = await ChildService.start({
      dataDir,
      env: {
        EVENT_STORE: 'postgres',
        DATABASE_URL: database.url,
        CASES_MASTER_KEY: masterKey,
        CASES_JWT_SECRET: jwtSecret,
        SCHEDULER_INTERVAL_MS: '0',
      },
    });
    services.push(service);
    return service;
  }

  const masterKey = randomBytes(32).toString('base64');
  const jwtSecret = randomBytes(32).toString('base64');

  beforeAll(async () => {
    database = await createPostgresTestDatabase();
  });

  afterAll(async () => {
    await Promise.allSettled(services.map((service) => service.kill()));
    await database?.drop();
    for (const dataDir of dataDirs) rmSync(dataDir, { recursive: true, force: true });
  });

  it('start together on an empty store, read each other’s writes and never lose a concurrent update', async () => {
    // Both first starts race to seed the directory (admin, units): exactly one seeding must win.
    const [a, b] = await Promise.all([startInstance(), startInstance()]);

    const created = await call(a, 'POST', '/api/users', a.authorization['authorization'].slice(7), {
      username: DESK.username,
      displayName: 'Desk',
      role: 'desk',
      password: DESK.password,
    });
    expect(created.status).toBe(201);
    // The user written through A signs in at B: the directory is the shared log, not a local cache.
    const deskAtA = await signIn(a, DESK.username, DESK.password);
    const deskAtB = await signIn(b, DESK.username, DESK.password);

    const registered = await call(a, 'POST', '/api/petitions', deskAtA, petitionBody());
    expect(registered.status).toBe(201);
    const caseId = String(registered.body['id']);
    const seenAtB = await call(b, 'GET', `/api/cases/${caseId}?minPosition=${String(registered.body['position'])}`, deskAtB);
    expect(seenAtB.status).toBe(200);
    expect(seenAtB.body['id']).toBe(caseId);

    // Forty intakes at once, half through each instance: every one gets its own number, none skipped.
    const intakes = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        call(index % 2 === 0 ? a : b, 'POST', '/api/petitions', index % 2 === 0 ? deskAtA : deskAtB, petitionBody()),
      ),
    );
    expect(intakes.map((answer) => answer.status)).toEqual(Array.from({ length: 40 }, () => 201));
    const numbers = intakes.map((answer) => String(answer.body['number'])).sort();
    expect(numbers).toEqual(Array.from({ length: 40 }, (_, index) => `XF${numbers[0].slice(2, 6)}-${String(index + 2).padStart(4, '0')}`));

    // Twenty notes at once, half through each instance, none with If-Match: every one lands.
    const notes = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        call(index % 2 === 0 ? a : b, 'POST', `/api/cases/${caseId}/note`, index % 2 === 0 ? deskAtA : deskAtB, { text: `note ${index}` }),
      ),
    );
    expect(notes.map((answer) => answer.status)).toEqual(Array.from({ length: 20 }, () => 200));
    const revisions = notes.map((answer) => String(answer.body['revision']));
    expect(new Set(revisions).size).toBe(20);

    const lastPosition = notes.map((answer) => BigInt(String(answer.body['position']))).reduce((x, y) => (x > y ? x : y));
    for (const [service, token] of [
      [a, deskAtA],
      [b, deskAtB],
    ] as const) {
      const history = await call(service, 'GET', `/api/cases/${caseId}/history?minPosition=${lastPosition}`, token);
      expect(history.status).toBe(200);
      const events = history.body['events'] as { type: string }[] | undefined;
      expect(events?.filter((entry) => entry.type === 'NoteAdded')).toHaveLength(20);
    }
  });
});
