import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createApp } from '../apps/case-service/src/bootstrap';
import { loadConfig } from '../apps/case-service/src/config/app-config';
import { DeadlineScheduler } from '../apps/case-service/src/deadlines/deadline-scheduler';
import { TestClock, utc } from './support/test-clock';
import { createTestStores, type TestStores } from './support/test-stores';

/**
 * The deadline scheduler records each warning and miss exactly once per milestone and deadline
 * version, across a restart and with two instances running at once, and a miss recorded late
 * carries the true deadline time.
 *
 * Ticket dispatched Monday 2026-03-02 09:00 (a working day): sign is due after 2 working hours
 * (11:00), its warning at 75% of the time (10:30); resolve is due after 5 working days, at the
 * end of office hours on Monday 2026-03-09 (18:00).
 */
describe('deadline scheduler', () => {
  let dataDir: string;
  /** Every instance of the suite runs on these stores (SQLite in `dataDir`, or one PostgreSQL database). */
  let stores: TestStores;
  const clock = new TestClock('2026-03-02T09:00:00+08:00');
  const running: NestExpressApplication[] = [];

  const ADMIN_PASSWORD = 'scheduler-admin-password';
  const tokens = new Map<NestExpressApplication, string>();

  async function start(): Promise<NestExpressApplication> {
    const config = loadConfig({ ...stores.env, DATA_DIR: dataDir, SCHEDULER_INTERVAL_MS: '0', CASES_ADMIN_PASSWORD: ADMIN_PASSWORD });
    const app = await createApp(config, { clock, logger: false });
    await app.init();
    running.push(app);
    const signedIn = await request(app.getHttpServer())
      .post('/api/auth/login')
      .send({ username: 'admin', password: ADMIN_PASSWORD })
      .expect(200);
    tokens.set(app, signedIn.body.accessToken);
    return app;
  }

  /** Requests to `app` signed in as the admin. */
  function signedIn(app: NestExpressApplication) {
    return request.agent(app.getHttpServer()).set('Authorization', `Bearer ${tokens.get(app)}`);
  }

  async function stop(app: NestExpressApplication): Promise<void> {
    running.splice(running.indexOf(app), 1);
    await app.close();
  }

  async function alertsOf(app: NestExpressApplication, caseId: string) {
    const response = await signedIn(app).get(`/api/cases/${caseId}/history`).expect(200);
    return (
      response.body.events as {
        type: string;
        occurredAt: string;
        recordedAt: string;
        actor: { id: string; role: string };
        data: Record<string, unknown>;
      }[]
    )
      .filter((event) => event.type === 'DeadlineWarningIssued' || event.type === 'DeadlineMissed')
      .map((event) => ({
        type: event.type,
        milestone: event.data.milestone,
        version: event.data.version,
        occurredAt: event.occurredAt,
        actor: event.actor.role,
      }));
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'case-service-scheduler-'));
    stores = await createTestStores();
  });

  afterAll(async () => {
    for (const app of [...running]) await stop(app);
    await stores?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('warns and records misses once, across a restart and two instances', async () => {
    let app = await start();
    const http = () => signedIn(app);
    const created = await http()
      .post('/api/hotline-tickets')
      .send({
        platformTicketNo: 'SX2026030200001',
        title: '路灯不亮',
        description: '小区门口路灯损坏',
        community: '曲江社区',
        urgency: 'normal',
      })
      .expect(201);
    const caseId: string = created.body.id;
    await http().post(`/api/cases/${caseId}/dispatch`).send({ unit: 'municipal' }).expect(200);

    const view = await http().get(`/api/cases/${caseId}`).expect(200);
    expect(view.body.deadlines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ milestone: 'sign', dueAt: utc('2026-03-02T11:00:00+08:00'), state: 'pending' }),
        expect.objectContaining({ milestone: 'resolve', dueAt: utc('2026-03-09T18:00:00+08:00'), state: 'pending' }),
      ]),
    );

    clock.set('2026-03-02T10:20:00+08:00');
    expect(await app.get(DeadlineScheduler).runOnce()).toEqual({ casesChecked: 1, alertsRecorded: 0 });
    expect(await alertsOf(app, caseId)).toEqual([]);

    clock.set('2026-03-02T10:45:00+08:00');
    await app.get(DeadlineScheduler).runOnce();
    await app.get(DeadlineScheduler).runOnce();
    const warned = [
      { type: 'DeadlineWarningIssued', milestone: 'sign', version: 1, occurredAt: utc('2026-03-02T10:30:00+08:00'), actor: 'system' },
    ];
    expect(await alertsOf(app, caseId)).toEqual(warned);

    await stop(app);
    app = await start();
    clock.set('2026-03-02T10:50:00+08:00');
    await app.get(DeadlineScheduler).runOnce();
    expect(await alertsOf(app, caseId)).toEqual(warned);

    // The service was "down" until the next afternoon: the miss still carries 11:00.
    clock.set('2026-03-03T15:00:00+08:00');
    await app.get(DeadlineScheduler).runOnce();
    const missedSign = {
      type: 'DeadlineMissed',
      milestone: 'sign',
      version: 1,
      occurredAt: utc('2026-03-02T11:00:00+08:00'),
      actor: 'system',
    };
    expect(await alertsOf(app, caseId)).toEqual([...warned, missedSign]);
    const overdue = await http().get(`/api/cases/${caseId}`).expect(200);
    expect(overdue.body.deadlines).toEqual(expect.arrayContaining([expect.objectContaining({ milestone: 'sign', state: 'overdue' })]));

    // Two instances on the same store pass over the same deadline at the same time.
    const second = await start();
    clock.set('2026-03-10T09:00:00+08:00');
    await Promise.all([app.get(DeadlineScheduler).runOnce(), second.get(DeadlineScheduler).runOnce()]);
    await Promise.all([app.get(DeadlineScheduler).runOnce(), second.get(DeadlineScheduler).runOnce()]);
    const missedResolve = {
      type: 'DeadlineMissed',
      milestone: 'resolve',
      version: 1,
      occurredAt: utc('2026-03-09T18:00:00+08:00'),
      actor: 'system',
    };
    expect(await alertsOf(app, caseId)).toEqual([...warned, missedSign, missedResolve]);
    expect(await alertsOf(second, caseId)).toEqual([...warned, missedSign, missedResolve]);
  });

  it('lets a back-dated sign that beat its deadline supersede a recorded miss', async () => {
    const app = running[0] ?? (await start());
    const http = () => signedIn(app);
    clock.set('2026-03-16T09:00:00+08:00');
    const created = await http()
      .post('/api/hotline-tickets')
      .send({
        platformTicketNo: 'SX2026031600001',
        title: '井盖缺失',
        description: '人行道井盖缺失',
        community: '曲江社区',
        urgency: 'normal',
      })
      .expect(201);
    const caseId: string = created.body.id;
    await http().post(`/api/cases/${caseId}/dispatch`).send({ unit: 'municipal' }).expect(200);
    clock.set('2026-03-16T14:00:00+08:00');
    await app.get(DeadlineScheduler).runOnce();
    expect((await alertsOf(app, caseId)).map((alert) => alert.type)).toEqual(['DeadlineMissed']);

    // The unit signed on paper at 10:15 and records it after the fact.
    await http().post(`/api/cases/${caseId}/sign`).send({ occurredAt: '2026-03-16T10:15:00+08:00' }).expect(200);
    const view = await http().get(`/api/cases/${caseId}`).expect(200);
    expect(view.body.deadlines).toEqual(
      expect.arrayContaining([expect.objectContaining({ milestone: 'sign', reachedAt: utc('2026-03-16T10:15:00+08:00'), state: 'met' })]),
    );
  });
});
