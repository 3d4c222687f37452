/**
 * Long work end to end (docs/statistics.md, "Long work" and "Snapshots"): what-if replays, reports
 * at a past position and exports run one at a time behind a bounded queue, refused with 503
 * problem details and Retry-After once it is full, while /health and case commands still answer;
 * and a report at an earlier position, started from the nearest snapshot of the timeliness facts,
 * equals the same report computed from nothing. The replays run on the long-work thread: the
 * service answers meanwhile, and a thread that dies costs its job a 500, not the service.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConfiguredDeadlinePolicy,
  DEFAULT_POLICY_CONFIG,
  createBusinessCalendar,
  parsePolicyConfig,
  replayUnderPolicy,
} from '@cases/domain';
import { EVENT_STORE, type EventStore } from '@cases/event-store';
import { TimelinessLogGenerator } from '../bench/case-log-generator';
import { APP_CONFIG, type AppConfig } from '../apps/case-service/src/config/app-config';
import { LongWorkGate } from '../apps/case-service/src/long-work/long-work.gate';
import { replayFacts } from '../apps/case-service/src/timeliness/replay/facts-replay';
import { timelinessAnswer } from '../apps/case-service/src/timeliness/timeliness-jobs';
import { TimelinessService } from '../apps/case-service/src/timeliness/timeliness.service';
import { KPI_DEFINITIONS } from '../apps/case-service/src/timeliness/kpi-definitions.provider';
import { hotlineBody, petitionBody } from './support/bodies';
import { SUPERVISOR, TestApp, expectProblem, expectStatus, unitUser } from './support/test-app';
import { TestClock } from './support/test-clock';

const UNIT = '小寨社区';
const UNIT_USER = unitUser(UNIT, 'unit-xiaozhai-lw');
const MARCH = { from: '2026-03-01', to: '2026-04-01' };
const WAIT_STEP_MS = 20;
const WAIT_LIMIT_MS = 10_000;

function oneDayResolvePolicy(): Record<string, any> {
  const policy = JSON.parse(JSON.stringify(DEFAULT_POLICY_CONFIG));
  policy.hotline.normal.resolve.limit = { amount: 1, unit: 'working-days' };
  return policy;
}

/** A job that holds the gate until released: the queue is full for as long as the test wants, no timing involved. */
function holdGate(t: TestApp): { release: () => void; done: Promise<void> } {
  let release = (): void => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  return { release: () => release(), done: t.app.get(LongWorkGate).run(() => held) };
}

describe('long work: one job at a time behind a bounded queue', () => {
  let t: TestApp;
  let caseId: string;

  beforeAll(async () => {
    // No job may wait: the one running fills the queue.
    t = await TestApp.start({ clock: new TestClock('2026-03-02T09:00:00+08:00'), env: { LONG_WORK_QUEUE: '0' } });
    caseId = (await t.intake('hotline', hotlineBody({ title: '路灯不亮' }))).body.id;
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('refuses a what-if, a report at a past position and an export with 503 and Retry-After while a job runs; /health and commands answer', async () => {
    const position = (await t.get('/api/stats/timeliness', SUPERVISOR).query(MARCH)).body.position as string;
    const held = holdGate(t);
    try {
      const refusals = [
        await t.post('/api/stats/timeliness/what-if', { ...MARCH, policy: oneDayResolvePolicy() }, { as: SUPERVISOR }),
        await t.get('/api/reports/monthly/2026-03', SUPERVISOR).query({ position: '1' }),
        await t.get('/api/stats/timeliness', SUPERVISOR).query({ ...MARCH, position: '1' }),
        await t.get('/api/reports/monthly/2026-03', SUPERVISOR).query({ format: 'xlsx' }),
        await t.get('/api/reports/monthly/2026-03', SUPERVISOR).query({ format: 'csv' }),
      ];
      for (const res of refusals) {
        const problem = expectProblem(res, 503, 'LONG_WORK.BUSY');
        expect(res.headers['retry-after']).toMatch(/^[1-9]\d*$/);
        expect(problem.retryAfterSeconds).toBe(Number(res.headers['retry-after']));
      }
      // Short work is never queued behind long work.
      expect((await t.health()).status).toBeDefined();
      await t.ok(caseId, 'dispatch', { unit: UNIT });
      await t.ok(caseId, 'sign', {}, { as: UNIT_USER });
      const live = await t.get('/api/stats/timeliness', SUPERVISOR).query(MARCH);
      expectStatus(live, 200);
      expectStatus(await t.get('/api/reports/monthly/2026-03', SUPERVISOR), 200);
    } finally {
      held.release();
      await held.done;
    }
    const whatIf = await t.post('/api/stats/timeliness/what-if', { ...MARCH, policy: oneDayResolvePolicy() }, { as: SUPERVISOR });
    expectStatus(whatIf, 200);
    expectStatus(await t.get('/api/reports/monthly/2026-03', SUPERVISOR).query({ position }), 200);
  });

  it('gives an export at a past position a single turn at the gate, replay and rendering together', async () => {
    const position = (await t.get('/api/stats/timeliness', SUPERVISOR).query(MARCH)).body.position as string;
    const turns = jest.spyOn(t.app.get(LongWorkGate), 'run');
    try {
      const xlsx = await t
        .get('/api/reports/monthly/2026-03', SUPERVISOR)
        .query({ position: String(BigInt(position) - 1n), format: 'xlsx' });
      expectStatus(xlsx, 200);
      expect(turns).toHaveBeenCalledTimes(1);
      // A JSON report at the live position is no long work at all.
      expectStatus(await t.get('/api/reports/monthly/2026-03', SUPERVISOR), 200);
      expect(turns).toHaveBeenCalledTimes(1);
    } finally {
      turns.mockRestore();
    }
  });

  it('lets a job wait its turn when LONG_WORK_QUEUE allows it, in arrival order', async () => {
    const gate = new LongWorkGate({ longWorkQueue: 1 });
    const order: string[] = [];
    let release = (): void => undefined;
    const first = gate.run(() => new Promise<void>((resolve) => (release = resolve)).then(() => void order.push('first')));
    const second = gate.run(async () => void order.push('second'));
    expect(gate.load).toEqual({ running: 1, waiting: 1 });
    await expect(gate.run(async () => undefined)).rejects.toMatchObject({ code: 'LONG_WORK.BUSY', status: 503 });
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });
});

describe('reports at an earlier position start from the nearest snapshot', () => {
  let t: TestApp;
  let snapshotDir: string;

  function at(shanghai: string): void {
    t.clock.set(`${shanghai}+08:00`);
  }

  /** Snapshot positions on disk, oldest first. */
  function snapshotPositions(): bigint[] {
    if (!existsSync(snapshotDir)) return [];
    return readdirSync(snapshotDir)
      .map((name) => /^g\d+-p(\d+)\.ndjson$/.exec(name))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => BigInt(match[1]))
      .sort((left, right) => (left < right ? -1 : 1));
  }

  /** Snapshots are written in the background: waits (not a timed assertion) until one at `position` is in place. */
  async function snapshotAt(position: bigint): Promise<void> {
    for (let waited = 0; !snapshotPositions().includes(position); waited += WAIT_STEP_MS) {
      if (waited > WAIT_LIMIT_MS) throw new Error(`no snapshot at ${position}; there are ${snapshotPositions().join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
    }
  }

  async function get(path: string, query: Record<string, string>): Promise<any> {
    const res = await t.get(path, SUPERVISOR).query(query);
    expectStatus(res, 200);
    return res.body;
  }

  beforeAll(async () => {
    t = await TestApp.start({ clock: new TestClock('2026-03-02T09:00:00+08:00'), env: { TIMELINESS_SNAPSHOT_EVERY: '4' } });
    snapshotDir = join(t.dataDir, 'timeliness-snapshots', 'default');
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('gives the same report, KPIs and what-if as a replay from position 0', async () => {
    // Before the snapshot: two tickets and a petition, one ticket dispatched.
    at('2026-03-02T09:00:00');
    const h1 = (await t.intake('hotline', hotlineBody({ title: '路灯不亮' }))).body.id;
    const h2 = (await t.intake('hotline', hotlineBody({ title: '井盖缺失' }))).body.id;
    const p1 = (await t.intake('petition', petitionBody({ title: '楼道堆物' }))).body.id;
    at('2026-03-02T09:30:00');
    await t.ok(h1, 'dispatch', { unit: UNIT });
    // The live figures pass a snapshot position: the read side writes one.
    const snapshotted = BigInt((await get('/api/stats/timeliness', MARCH)).position);
    await snapshotAt(snapshotted);
    // Beside the facts it holds the states of the three cases in flight (each has a deadline running).
    const file = readdirSync(snapshotDir).find((name) => name.endsWith(`-p${snapshotted}.ndjson`)) as string;
    const [header, ...lines] = readFileSync(join(snapshotDir, file), 'utf8').trim().split('\n');
    expect(JSON.parse(header)).toMatchObject({ format: 2, cases: 3, states: 3 });
    expect(
      lines
        .slice(3)
        .map((line) => (JSON.parse(line) as { id: string }).id)
        .sort(),
    ).toEqual([h1, h2, p1].sort());

    // After it: older cases move on (h1 signed late, h2 dispatched, p1 accepted) and a new one arrives.
    at('2026-03-03T15:00:00');
    await t.ok(h1, 'sign', {}, { as: UNIT_USER });
    await t.ok(h2, 'dispatch', { unit: UNIT });
    await t.ok(p1, 'accept');
    const h3 = (await t.intake('hotline', hotlineBody({ title: '噪音扰民' }))).body.id;
    // The log's head, not a live query: that would snapshot right at the position.
    const position = String((await t.health()).store.head);
    // And after the position: everything that must not leak into the report at it.
    at('2026-03-20T10:00:00');
    await t.ok(h1, 'resolve', { reply: '已修复。' }, { as: UNIT_USER });
    await t.ok(h3, 'dispatch', { unit: UNIT });
    t.clock.set('2026-04-20T10:00:00+08:00');

    // The nearest snapshot at or before the position is the one taken before h1's sign.
    const before = snapshotPositions().filter((snapshot) => snapshot <= BigInt(position));
    expect(before.at(-1)).toBe(snapshotted);
    expect(snapshotted).toBeLessThan(BigInt(position));
    const fromSnapshot = {
      report: await get('/api/reports/monthly/2026-03', { position }),
      kpis: await get('/api/stats/timeliness', { ...MARCH, groupBy: 'unit', position }),
    };
    expect(fromSnapshot.report.position).toBe(position);
    // h1 signed late (due 2 Mar 11:30, signed 3 Mar 15:00) counts at the position; its resolution does not.
    expect(fromSnapshot.report.units.find((row: any) => row.unit === UNIT)).toMatchObject({ late: 1 });

    // That replay leaves a snapshot at the position; with every snapshot gone, the same figures from position 0.
    await snapshotAt(BigInt(position));
    rmSync(snapshotDir, { recursive: true, force: true });
    const fromScratch = {
      report: await get('/api/reports/monthly/2026-03', { position }),
      kpis: await get('/api/stats/timeliness', { ...MARCH, groupBy: 'unit', position }),
    };
    expect(fromSnapshot).toEqual(fromScratch);
    // And the snapshot at the position itself gives them too.
    await snapshotAt(BigInt(position));
    expect(await get('/api/reports/monthly/2026-03', { position })).toEqual(fromScratch.report);

    // A what-if never starts from a snapshot (they hold the live deadlines): the same answer with or without them.
    const whatIf = await t.post('/api/stats/timeliness/what-if', { ...MARCH, policy: oneDayResolvePolicy(), position }, { as: SUPERVISOR });
    expectStatus(whatIf, 200);
    rmSync(snapshotDir, { recursive: true, force: true });
    const whatIfAgain = await t.post(
      '/api/stats/timeliness/what-if',
      { ...MARCH, policy: oneDayResolvePolicy(), position },
      { as: SUPERVISOR },
    );
    expect(whatIfAgain.body).toEqual(whatIf.body);
  });
});

describe('long work runs on a thread of its own', () => {
  /** Events in the log: many replay batches (facts-replay.ts reads 1,000 at a time), so the job outlasts a request or two. */
  const LOG_EVENTS = 30_000;
  const YEAR_2025 = { from: new Date('2025-01-01T00:00:00+08:00'), to: new Date('2026-01-01T00:00:00+08:00') };
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start();
    await new TimelinessLogGenerator(t.app.get<EventStore>(EVENT_STORE), { orgId: 'default' }).generate(LOG_EVENTS);
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('answers /health and a case command while a what-if replays the log, and the what-if equals the same replay done here', async () => {
    const policyJson = oneDayResolvePolicy();
    let progressed = (): void => undefined;
    const underWay = new Promise<void>((resolve) => (progressed = resolve));
    let finished = false;
    const whatIf = t.app
      .get(TimelinessService)
      .whatIf(YEAR_2025, policyJson, () => progressed())
      .finally(() => (finished = true));
    // The replay has read its first batch: from here the job is busy until the log's end.
    await underWay;
    expect((await t.health()).status).toBeDefined();
    const intake = await t.intake('hotline', hotlineBody({ title: '路灯不亮' }));
    expect(intake.body.id).toEqual(expect.any(String));
    // Both were answered before the job was done: it did not hold the event loop.
    expect(finished).toBe(false);

    const answer = await whatIf;
    const upTo = BigInt(answer.position);
    expect(upTo).toBeGreaterThanOrEqual(BigInt(LOG_EVENTS));
    const fold = replayUnderPolicy(new ConfiguredDeadlinePolicy(parsePolicyConfig(policyJson), createBusinessCalendar()));
    const facts = await replayFacts(t.app.get<EventStore>(EVENT_STORE), { after: 0n, upTo, orgId: 'default', fold, facts: new Map() });
    const expected = timelinessAnswer(YEAR_2025, upTo, new Date(answer.judgedAt), [...facts.values()], {
      definitions: t.app.get(KPI_DEFINITIONS),
      deskLabel: t.app.get<AppConfig>(APP_CONFIG).org.name,
    });
    expect(answer).toEqual(expected);
    // Not an empty year: the generated cases were counted.
    expect(answer.groups[0].kpis.onTimeResolution.denominator).toBeGreaterThan(1000);
  });
});

describe('a long-work thread that dies', () => {
  let t: TestApp;

  beforeAll(async () => {
    // A heap limit no thread can start under: every job's thread dies of it.
    t = await TestApp.start({ env: { LONG_WORK_HEAP_MB: '4' } });
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('fails its job with 500 problem details; the service answers, and the next job gets a thread of its own', async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await t.post('/api/stats/timeliness/what-if', { ...MARCH, policy: oneDayResolvePolicy() }, { as: SUPERVISOR });
      const problem = expectProblem(res, 500, 'LONG_WORK.FAILED');
      expect(problem.detail).toMatch(/ERR_WORKER_OUT_OF_MEMORY/);
      expect((await t.health()).status).toBeDefined();
      const intake = await t.intake('hotline', hotlineBody({ title: `路灯不亮 ${attempt}` }));
      await t.ok(intake.body.id, 'dispatch', { unit: UNIT });
    }
    // The gate was released each time: the live figures answer, and long work is not refused as busy.
    expectStatus(await t.get('/api/stats/timeliness', SUPERVISOR).query(MARCH), 200);
  });
});
