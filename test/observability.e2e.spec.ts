/**
 * Issue 8, item 4: health that tells the truth, and the signals operators expect. Liveness and
 * readiness answer apart; readiness fails while a read model cannot apply the log and recovers by
 * itself; the JSON log of a realistic run carries a correlation id on every line of a request and
 * not one name, phone, ID number, address, token or password; /metrics has the figures.
 */
import { sql } from 'kysely';
import { ProjectionRunner } from '@cases/read-models';
import { DeadlineScheduler } from '../apps/case-service/src/deadlines/deadline-scheduler';
import { ADMIN, DESK, SUPERVISOR, TEST_ADMIN_PASSWORD, TestApp, expectProblem, expectStatus, unitUser } from './support/test-app';
import { CALLER, FULL_PERSONAL_VALUES, PARTIES, PETITIONER, disputeBody, hotlineBody, petitionBody } from './support/bodies';

/**
 * Makes the read-model database refuse writes, as a full disk or a lock would, so every batch
 * fails (`refuse`), or lets it write again. SQLite: its one connection goes query-only.
 * PostgreSQL (a pool of connections, so no session setting reaches them all): a trigger refuses
 * every write to the projections' checkpoints, which every batch makes in its transaction.
 */
async function refuseReadModelWrites(runner: ProjectionRunner, refuse: boolean): Promise<void> {
  await runner.read('case-history', 0n, 1_000, async ({ db, dialect }) => {
    if (dialect === 'sqlite') {
      await (refuse ? sql`pragma query_only = ON` : sql`pragma query_only = OFF`).execute(db);
    } else if (refuse) {
      await sql`CREATE OR REPLACE FUNCTION test_refuse_writes() RETURNS trigger LANGUAGE plpgsql
        AS $$ BEGIN RAISE EXCEPTION 'the read-model database refuses writes (test fault)'; END $$`.execute(db);
      await sql`CREATE TRIGGER test_refuse_writes BEFORE INSERT OR UPDATE OR DELETE ON projection_checkpoints
        FOR EACH STATEMENT EXECUTE FUNCTION test_refuse_writes()`.execute(db);
    } else {
      await sql`DROP TRIGGER IF EXISTS test_refuse_writes ON projection_checkpoints`.execute(db);
    }
  });
}

const SHIZHENG = unitUser('市政所');

interface LogLine {
  level: string;
  msg: string;
  correlationId?: string;
  context?: string;
  req?: { method: string; path: string; queryParameters: string[] };
  res?: { statusCode: number };
  [key: string]: unknown;
}

/** Collects the service's log lines as written. */
class LogSink {
  readonly text: string[] = [];

  write(chunk: string): void {
    this.text.push(chunk);
  }

  lines(): LogLine[] {
    return this.text
      .join('')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as LogLine);
  }
}

async function eventually(check: () => Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('liveness and readiness', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('answer 200 apart, without a token, while all is well; GET /health answers as before', async () => {
    const live = await t.http.get('/health/live');
    expectStatus(live, 200);
    expect(live.body).toMatchObject({ status: 'ok' });

    await t.intake('petition', petitionBody());
    const ready = await t.http.get('/health/ready');
    expectStatus(ready, 200);
    expect(ready.body.status).toBe('ok');
    expect(ready.body.info.store).toEqual({ status: 'up', head: expect.any(Number) });
    expect(ready.body.info.readModels).toMatchObject({ status: 'up', maxLag: 10_000 });
    for (const model of ready.body.info.readModels.models) expect(model).toMatchObject({ failing: false });

    const health = await t.http.get('/health');
    expectStatus(health, 200);
    expect(health.body).toMatchObject({ status: 'ok', store: { status: 'up' } });
  });

  it('readiness is 503 naming the read models while they cannot apply the log, liveness stays 200, and both recover by themselves', async () => {
    const runner = t.app.get(ProjectionRunner);
    await refuseReadModelWrites(runner, true);
    try {
      const { body } = await t.intake('hotline', hotlineBody());
      await eventually(async () => {
        const ready = await t.http.get('/health/ready');
        const problem = expectProblem(ready, 503, 'SERVICE.NOT_READY');
        expect(problem.detail).toMatch(/readModels \(failing: /);
        expect(problem.checks.store).toMatchObject({ status: 'up' });
        expect(problem.checks.readModels).toMatchObject({ status: 'down' });
        expect(problem.checks.readModels.models.some((model: { failing: boolean }) => model.failing)).toBe(true);
      });
      expectStatus(await t.http.get('/health/live'), 200);
      // Metrics say the same.
      const metrics = await t.http.get('/metrics');
      expect(metrics.text).toMatch(/^cases_projection_failing\{projection="case"\} 1$/m);

      await refuseReadModelWrites(runner, false);
      // The failed projections restart from their checkpoints after their backoff delay.
      await eventually(async () => expectStatus(await t.http.get('/health/ready'), 200), 30_000);
      expect((await t.view(body.id)).id).toBe(body.id);
    } finally {
      await refuseReadModelWrites(runner, false).catch(() => undefined);
    }
  });

  it('readiness is 503 when the read models trail the log by more than READINESS_MAX_LAG', async () => {
    const strict = await TestApp.start({ env: { READINESS_MAX_LAG: '0' } });
    try {
      const runner = strict.app.get(ProjectionRunner);
      await refuseReadModelWrites(runner, true);
      await strict.intake('petition', petitionBody());
      await eventually(async () => {
        const problem = expectProblem(await strict.http.get('/health/ready'), 503, 'SERVICE.NOT_READY');
        expect(problem.checks.readModels.reason).toMatch(/more than 0 events behind: case/);
      });
      await refuseReadModelWrites(runner, false).catch(() => undefined);
      await eventually(async () => expectStatus(await strict.http.get('/health/ready'), 200), 30_000);
    } finally {
      await strict.stop();
    }
  });
});

describe('logs and metrics of a realistic run', () => {
  const sink = new LogSink();
  let t: TestApp;
  const secrets: string[] = [TEST_ADMIN_PASSWORD];

  beforeAll(async () => {
    t = await TestApp.start({ logDestination: sink });
    for (const actor of [DESK, SUPERVISOR, ADMIN, SHIZHENG])
      secrets.push((await t.authorization(actor)).Authorization.slice('Bearer '.length));
  });
  afterAll(async () => {
    await t.stop();
  });

  it('carry a correlation id on every line of a request and not one name, phone, ID number, address or secret', async () => {
    // A day at the desk: the three kinds of intake, a ticket through the loop, searches by the
    // very phone numbers and names the cases hold, and refusals of every sort.
    const petition = await t.intake('petition', petitionBody(), { correlationId: 'obs-petition-1' });
    const hotline = await t.intake('hotline', hotlineBody());
    await t.intake('dispute', disputeBody());
    await t.ok(hotline.body.id, 'dispatch', { unit: '市政所' });
    await t.ok(hotline.body.id, 'sign', {}, { as: SHIZHENG });
    await t.ok(hotline.body.id, 'progress', { text: '已电话联系市民' }, { as: SHIZHENG });
    await t.ok(hotline.body.id, 'resolve', { reply: '已更换灯具' }, { as: SHIZHENG });
    await t.ok(hotline.body.id, 'review', { satisfaction: 'satisfied', solved: true });
    expectProblem(await t.act(petition.body.id, 'supervise', { instruction: '加快办理' }, { as: DESK }), 403, 'CASE.FORBIDDEN');
    expectProblem(await t.act(petition.body.id, 'resolve', { outcome: 'supported', reply: '已处理' }), 409, 'CASE.ILLEGAL_TRANSITION');
    for (const text of [PETITIONER.phone, PETITIONER.name, CALLER.phone, PETITIONER.idNumber]) await t.list({ text });
    await t.view(petition.body.id);
    await t.history(petition.body.id);
    expectProblem(await t.get('/api/cases').query({ callerPhone: CALLER.phone, name: PARTIES[0].name }), 400, 'REQUEST.INVALID');
    expectProblem(
      await t.post('/api/petitions', petitionBody({ petitioner: { ...PETITIONER, phone: `电话${PETITIONER.phone}` } })),
      400,
      'REQUEST.INVALID',
    );
    expectProblem(await t.post('/api/petitions', petitionBody(), { correlationId: PETITIONER.phone }), 400, 'REQUEST.INVALID');
    expectProblem(await t.post('/api/petitions', petitionBody(), { idempotencyKey: CALLER.phone }), 400, 'REQUEST.INVALID');
    await t.http.post('/api/auth/login').send({ username: 'admin', password: `${TEST_ADMIN_PASSWORD}-wrong` });
    await t.http.get(`/api/nowhere/${encodeURIComponent(PETITIONER.name)}`);

    const lines = sink.lines();
    expect(lines.length).toBeGreaterThan(30);
    const whole = sink.text.join('');
    for (const value of [...FULL_PERSONAL_VALUES, ...secrets, `${TEST_ADMIN_PASSWORD}-wrong`]) {
      expect({ value, found: whole.includes(value) }).toEqual({ value, found: false });
      expect({ value, found: whole.includes(JSON.stringify(value).slice(1, -1)) }).toEqual({ value, found: false });
    }
    expect(whole).not.toMatch(/authorization|bearer/i);

    // Every request line carries its correlation id; the one the client sent is the one used.
    const requestLines = lines.filter((line) => line.req !== undefined);
    expect(requestLines.length).toBeGreaterThan(20);
    for (const line of requestLines) expect(line.correlationId).toEqual(expect.any(String));
    const petitionLines = lines.filter((line) => line.correlationId === 'obs-petition-1');
    expect(petitionLines.map((line) => line.msg)).toEqual([
      expect.stringMatching(/^register-petition: ok in \d+ ms$/),
      expect.stringMatching(/^POST \/api\/petitions 201 \d+ ms$/),
    ]);
    // A command's own line carries the id of the request that sent it, and so does its events' metadata.
    const commandLines = lines.filter((line) => line.context === 'Commands');
    expect(commandLines.length).toBeGreaterThanOrEqual(9);
    for (const line of commandLines) expect(line.correlationId).toEqual(expect.any(String));
    const history = await t.history(petition.body.id);
    expect(history[0].correlationId).toBe('obs-petition-1');
    // Queries are logged by parameter name only.
    expect(requestLines.some((line) => line.req?.path === '/api/cases' && line.req.queryParameters.includes('text'))).toBe(true);
  });

  it('/metrics reports commands by type and outcome, latency by route, read-model lag and the event loop, and no personal data', async () => {
    const petition = await t.intake('petition', petitionBody());
    await t.ok(petition.body.id, 'accept', {});
    expectProblem(await t.act(petition.body.id, 'accept', {}), 409, 'CASE.ILLEGAL_TRANSITION');
    await t.view(petition.body.id);
    // Well past every open deadline: the scheduler records warnings and misses.
    t.clock.set('2026-06-01T09:00:00+08:00');
    const run = await t.app.get(DeadlineScheduler).runOnce();
    expect(run.alertsRecorded).toBeGreaterThan(0);

    // The scheduler's alerts are applied by the projections as they follow the log: at once on
    // SQLite, once the append's notification arrives on PostgreSQL.
    await eventually(async () =>
      expect((await t.http.get('/metrics')).text).toMatch(/^cases_projection_lag_events\{projection="case"\} 0$/m),
    );
    const res = await t.http.get('/metrics');
    expectStatus(res, 200);
    expect(res.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
    const text = res.text;
    const value = (pattern: RegExp): number => Number(pattern.exec(text)?.[1]);
    expect(value(/^cases_commands_total\{command="register-petition",outcome="ok"\} (\d+)$/m)).toBeGreaterThanOrEqual(2);
    expect(value(/^cases_commands_total\{command="accept",outcome="ok"\} (\d+)$/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^cases_commands_total\{command="accept",outcome="CASE.ILLEGAL_TRANSITION"\} (\d+)$/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^cases_command_duration_seconds_count\{command="accept"\} (\d+)$/m)).toBeGreaterThanOrEqual(2);
    expect(
      value(/^http_request_duration_seconds_count\{method="POST",route="\/api\/cases\/:id\/accept",status="200"\} (\d+)$/m),
    ).toBeGreaterThanOrEqual(1);
    expect(
      value(/^http_request_duration_seconds_count\{method="GET",route="\/api\/cases\/:id",status="200"\} (\d+)$/m),
    ).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} \d+$/m);
    expect(text).toMatch(/^cases_projection_lag_events\{projection="case"\} 0$/m);
    expect(text).toMatch(/^cases_projection_failing\{projection="case-history"\} 0$/m);
    expect(value(/^cases_event_store_head_position (\d+)$/m)).toBeGreaterThan(0);
    expect(value(/^cases_scheduler_runs_total (\d+)$/m)).toBe(1);
    expect(value(/^cases_scheduler_alerts_total (\d+)$/m)).toBe(run.alertsRecorded);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    for (const personal of FULL_PERSONAL_VALUES) expect(text).not.toContain(personal);
    expect(text).not.toContain(petition.body.id);
  });
});
