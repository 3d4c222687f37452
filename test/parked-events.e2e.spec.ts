/**
 * Issue 8, item 3: a poison event stops one case, not the service. An event this release cannot
 * read is written into one case's stream; every other case stays current through the real HTTP
 * stack, the poisoned case says it needs attention, readiness and /metrics report the parked
 * events, and a replay by the next release (an upcaster for the event) brings the case back while
 * the service runs.
 */
import { randomUUID } from 'node:crypto';
import { caseStreamId, decodeCaseEvent, type CaseEvent } from '@cases/domain';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '@cases/event-store';
import { ProjectionRunner, caseProjections, type CaseEventDecoder } from '@cases/read-models';
import { APP_CONFIG, type AppConfig } from '../apps/case-service/src/config/app-config';
import { readModelLocation } from '../apps/case-service/src/infrastructure/read-models.provider';
import { ADMIN, DESK, SUPERVISOR, TestApp, expectProblem, expectStatus } from './support/test-app';
import { PETITIONER, petitionBody } from './support/bodies';

/** The next release: it reads CaseDispatched version 2, which a later release wrote with the unit as `unitCode`. */
const decoderWithTheFix: CaseEventDecoder = (recorded: RecordedEvent): CaseEvent => {
  if (recorded.type === 'CaseDispatched' && recorded.metadata.schemaVersion === 2) {
    const { unitCode } = recorded.data as { unitCode: string };
    return decodeCaseEvent({ ...recorded, data: { unit: unitCode }, metadata: { ...recorded.metadata, schemaVersion: 1 } });
  }
  return decodeCaseEvent(recorded);
};

describe('a poison event stops one case, not the service', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('parks the event, keeps the other cases current, reports it in readiness and metrics, and a replay after the fix brings the case back', async () => {
    const store = t.app.get<EventStore>(EVENT_STORE);
    const [a, b] = [
      (await t.intake('petition', petitionBody())).body.id as string,
      (await t.intake('petition', petitionBody())).body.id as string,
    ];
    await t.ok(a, 'accept', {});
    await t.ok(b, 'accept', {});

    // A dispatch of case b as a later release wrote it (schema version 2): this release refuses to read it.
    const [accepted] = (await store.readStream(caseStreamId(b))).slice(-1);
    await store.append(
      caseStreamId(b),
      [
        {
          id: randomUUID(),
          type: 'CaseDispatched',
          data: { unitCode: '市政所' },
          personal: null,
          metadata: { ...accepted.metadata, command: 'dispatch', schemaVersion: 2, correlationId: randomUUID() },
        },
      ],
      accepted.revision,
    );

    // Every other case stays current: a command answered 2xx is read back at once.
    await t.ok(a, 'dispatch', { unit: '小寨社区' });
    const c = (await t.intake('petition', petitionBody())).body.id as string;
    expect(await t.view(a)).toMatchObject({ status: 'dispatched', unit: '小寨社区', needsAttention: false });
    expect(await t.view(c)).toMatchObject({ status: 'registered', needsAttention: false });
    // The poisoned case stops before the refused event and says so, in its view and in the list.
    expect(await t.view(b)).toMatchObject({ status: 'accepted', revision: Number(accepted.revision), needsAttention: true });
    const listed = new Map((await t.list()).items.map((item: { id: string; needsAttention: boolean }) => [item.id, item.needsAttention]));
    expect(listed).toEqual(
      new Map([
        [a, false],
        [b, true],
        [c, false],
      ]),
    );

    // Listed (what `parked list` prints), in both read models, without anything personal.
    const runner = t.app.get(ProjectionRunner);
    const parked = await runner.parkedEvents();
    expect(parked.map(({ projection, caseId, type, reason }) => ({ projection, caseId, type, reason }))).toEqual([
      { projection: 'case', caseId: b, type: 'CaseDispatched', reason: 'refused' },
      { projection: 'case-history', caseId: b, type: 'CaseDispatched', reason: 'refused' },
    ]);
    expect(JSON.stringify(parked, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value))).not.toContain(
      PETITIONER.name,
    );

    // Not ready while events are parked; alive all the same.
    const problem = expectProblem(await t.http.get('/health/ready'), 503, 'SERVICE.NOT_READY');
    expect(problem.checks.readModels.reason).toBe('parked events: case (1 in 1 cases), case-history (1 in 1 cases)');
    expect(problem.checks.readModels.models).toEqual(
      expect.arrayContaining([expect.objectContaining({ projection: 'case', failing: false, parkedEvents: 1 })]),
    );
    expectStatus(await t.http.get('/health/live'), 200);
    const metrics = (await t.http.get('/metrics')).text;
    expect(metrics).toMatch(/^cases_parked_events\{projection="case"\} 1$/m);
    expect(metrics).toMatch(/^cases_parked_events\{projection="case-history"\} 1$/m);
    expect(metrics).toMatch(/^cases_projection_failing\{projection="case"\} 0$/m);

    // Over HTTP too, for a supervisor or an admin only.
    const listedOverHttp = await t.get(`/api/operations/parked-events?caseId=${b}`, SUPERVISOR);
    expectStatus(listedOverHttp, 200);
    expect(listedOverHttp.body.events).toEqual([
      expect.objectContaining({
        projection: 'case',
        caseId: b,
        type: 'CaseDispatched',
        reason: 'refused',
        revision: Number(accepted.revision) + 1,
        replayAttempts: 0,
      }),
      expect.objectContaining({ projection: 'case-history', caseId: b, type: 'CaseDispatched', reason: 'refused' }),
    ]);
    expectProblem(await t.get('/api/operations/parked-events', DESK), 403, 'AUTH.FORBIDDEN');

    // This release's replay fails again and leaves the event parked, with the attempt counted.
    const failed = await t.post('/api/operations/parked-events/replay', { caseId: b }, { as: ADMIN });
    expectStatus(failed, 200);
    expect(failed.body.outcomes).toEqual([
      expect.objectContaining({
        projection: 'case',
        caseId: b,
        outcome: 'failed',
        events: 1,
        error: expect.stringContaining('schema version 2'),
      }),
      expect.objectContaining({ projection: 'case-history', caseId: b, outcome: 'failed', events: 1 }),
    ]);
    expect((await runner.parkedEvents({ caseId: b }))[0].replayAttempts).toBe(1);
    expectProblem(await t.post('/api/operations/parked-events/replay', {}, { as: ADMIN }), 400, 'REQUEST.INVALID');

    // The next release's `parked replay --case`, run beside the service on the same read models (file or database).
    const nextRelease = await ProjectionRunner.open({
      store,
      database: readModelLocation(t.app.get<AppConfig>(APP_CONFIG)),
      projections: caseProjections(),
      decode: decoderWithTheFix,
    });
    try {
      expect((await nextRelease.replayParked({ caseId: b })).map((outcome) => outcome.outcome)).toEqual(['replayed', 'replayed']);
    } finally {
      await nextRelease.stop();
    }

    expect(await t.view(b)).toMatchObject({
      status: 'dispatched',
      unit: '市政所',
      revision: Number(accepted.revision) + 1,
      needsAttention: false,
    });
    expect((await t.history(b)).map((entry) => entry.type)).toContain('CaseDispatched');
    expectStatus(await t.http.get('/health/ready'), 200);
    expect((await t.http.get('/metrics')).text).toMatch(/^cases_parked_events\{projection="case"\} 0$/m);
  });
});
