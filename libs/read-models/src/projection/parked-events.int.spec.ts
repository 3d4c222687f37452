import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCaseEvent, encodeCaseEvent, type CaseEvent } from '@cases/domain';
import { SqliteEventStore, type EventData, type RecordedEvent } from '@cases/event-store';
import { createPostgresTestDatabase, type PostgresTestDatabase } from '../../../../test/support/postgres-test-database';
import { CASE_HISTORY_PROJECTION, caseHistoryProjection } from '../case-history/case-history.projection';
import { CASE_PROJECTION, caseProjection } from '../case/case.projection';
import type { ReadModelLocation } from '../database/read-model-database';
import type { CaseEventDecoder } from '../log/log-batch';
import { ReadModels } from '../read-models';
import { caseAccepted, caseDispatched, caseSigned, ORG_ID, petitionRegistered } from '../testing/case-events';
import { ProjectionRunner, type ProjectionRunnerOptions } from './projection-runner';

const WAIT_MS = 4_000;
const NOW = new Date('2026-06-01T00:00:00Z');
const A = '0000000a-0000-4000-8000-00000000000a';
const B = '0000000b-0000-4000-8000-00000000000b';
const C = '0000000c-0000-4000-8000-00000000000c';
const D = '0000000d-0000-4000-8000-00000000000d';

/** Collects what the runner reports. */
class RecordingLogger {
  readonly errors: string[] = [];
  log(): void {
    // Start-up messages are not under test here.
  }
  error(message: string): void {
    this.errors.push(message);
  }
}

/**
 * The dispatch as a later release writes it (schema version 2 names the unit `unitCode`), which
 * this release refuses to read rather than misread.
 */
function dispatchedByALaterRelease(caseId: string, unit: string): EventData {
  const stored = storedEvent(caseId, caseDispatched('2026-03-02T03:00:00.000Z', unit));
  return { ...stored, data: { unitCode: unit }, metadata: { ...stored.metadata, schemaVersion: 2 } };
}

/** The next release of this one: it reads CaseDispatched version 2 through an upcaster (here, down to today's shape). */
const decoderWithTheFix: CaseEventDecoder = (recorded: RecordedEvent): CaseEvent => {
  if (recorded.type === 'CaseDispatched' && recorded.metadata.schemaVersion === 2) {
    const { unitCode } = recorded.data as { unitCode: string };
    return decodeCaseEvent({ ...recorded, data: { unit: unitCode }, metadata: { ...recorded.metadata, schemaVersion: 1 } });
  }
  return decodeCaseEvent(recorded);
};

function storedEvent(caseId: string, event: CaseEvent): EventData {
  const stored = encodeCaseEvent(event, {
    orgId: ORG_ID,
    caseId,
    command: event.type,
    recordedAt: event.occurredAt,
    correlationId: randomUUID(),
    causationId: null,
  });
  return { id: randomUUID(), type: stored.type, data: stored.data, personal: stored.personal, metadata: { ...stored.metadata } };
}

describe.each(['sqlite', 'postgres'] as const)('parked events on %s: a poison event stops one case, not the read models', (dialect) => {
  let dir: string;
  let store: SqliteEventStore;
  let logger: RecordingLogger;
  let location: ReadModelLocation;
  let postgres: PostgresTestDatabase | undefined;
  const runners: ProjectionRunner[] = [];

  const openRunner = async (options: Partial<ProjectionRunnerOptions> = {}): Promise<ProjectionRunner> => {
    const runner = await ProjectionRunner.open({
      store,
      database: location,
      projections: [caseProjection(), caseHistoryProjection()],
      logger,
      restartBackoff: { initialMs: 1, maxMs: 10 },
      ...options,
    });
    runners.push(runner);
    return runner;
  };
  const append = (caseId: string, ...events: EventData[]) => store.append(`case-${caseId}`, events);
  const caughtUp = async (runner: ProjectionRunner) => runner.waitForPosition(await store.headPosition(), WAIT_MS);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parked-events-'));
    store = SqliteEventStore.open(join(dir, 'events.db'));
    logger = new RecordingLogger();
    postgres = dialect === 'postgres' ? await createPostgresTestDatabase() : undefined;
    location = postgres ? { postgres: postgres.url } : { sqlite: join(dir, 'read-models.db') };
  });
  afterEach(async () => {
    for (const runner of runners.splice(0)) await runner.stop();
    await postgres?.drop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('parks an undecodable event, keeps every other case current, lists it, and a replay after the fix brings the case back', async () => {
    for (const caseId of [A, B, C]) {
      await append(
        caseId,
        storedEvent(caseId, petitionRegistered(caseId, '2026-03-02T01:00:00.000Z')),
        storedEvent(caseId, caseAccepted('2026-03-02T02:00:00.000Z')),
      );
    }
    const poison = await append(B, dispatchedByALaterRelease(B, '市政所'));
    await append(B, storedEvent(B, caseSigned('2026-03-02T04:00:00.000Z', '市政所')));
    await append(A, storedEvent(A, caseDispatched('2026-03-02T03:00:00.000Z', '小寨社区')));

    const runner = await openRunner();
    const readModels = new ReadModels(runner, store, { timeoutMs: WAIT_MS });
    runner.start();
    await caughtUp(runner);

    // Every projection moved past the poison event; none is failing.
    expect(runner.failing()).toEqual([]);
    expect(runner.checkpoint(CASE_PROJECTION)).toBe(await store.headPosition());
    // The other cases are current, and keep following the log.
    await append(C, storedEvent(C, caseDispatched('2026-03-02T05:00:00.000Z', '曲江社区')));
    await caughtUp(runner);
    expect(await readModels.cases.view(A)).toMatchObject({
      revision: 2n,
      state: { status: 'dispatched', unit: '小寨社区' },
      needsAttention: false,
    });
    expect(await readModels.cases.view(C)).toMatchObject({
      revision: 2n,
      state: { status: 'dispatched', unit: '曲江社区' },
      needsAttention: false,
    });
    // The poisoned case stops before its refused event and says it needs attention.
    expect(await readModels.cases.view(B)).toMatchObject({ revision: 1n, state: { status: 'accepted' }, needsAttention: true });
    const listed = new Map((await readModels.cases.list({}, NOW)).items.map((item) => [item.id, item.needsAttention]));
    expect(listed).toEqual(
      new Map([
        [A, false],
        [B, true],
        [C, false],
      ]),
    );
    expect((await readModels.history.history(B)).map((entry) => entry.type)).toEqual(['PetitionRegistered', 'CaseAccepted']);

    // Each projection parked the refused event and held back the one after it.
    const parked = await runner.parkedEvents();
    expect(
      parked.map(({ projection, position, caseId, revision, type, reason }) => ({ projection, position, caseId, revision, type, reason })),
    ).toEqual(
      [CASE_PROJECTION, CASE_HISTORY_PROJECTION]
        .flatMap((projection) => [
          { projection, position: poison.position, caseId: B, revision: 2n, type: 'CaseDispatched', reason: 'refused' },
          { projection, position: poison.position + 1n, caseId: B, revision: 3n, type: 'CaseSigned', reason: 'held' },
        ])
        .sort((x, y) => Number(x.position - y.position) || x.projection.localeCompare(y.projection)),
    );
    expect(parked[0].error).toBe('Cannot upcast CaseDispatched from schema version 2: this release reads 1 to 1');
    expect(await runner.parkedCounts()).toEqual([
      { projection: CASE_PROJECTION, events: 2, cases: 1 },
      { projection: CASE_HISTORY_PROJECTION, events: 2, cases: 1 },
    ]);
    // The log says where and why, never what the event held.
    expect(logger.errors.join('\n')).toContain(`parked CaseDispatched at position ${poison.position} (stream case-${B}, revision 2)`);
    expect(logger.errors.join('\n')).not.toMatch(/张三|13800001234|市政所/);

    // A later event of the parked case is held back too, not folded onto the missing one.
    await append(B, storedEvent(B, caseSigned('2026-03-02T06:00:00.000Z', '市政所')));
    await caughtUp(runner);
    expect(await runner.parkedEvents({ caseId: B })).toHaveLength(6);

    // Replaying before the fix changes nothing and records the attempt.
    expect(await runner.replayParked({ caseId: B })).toEqual([
      expect.objectContaining({ projection: CASE_PROJECTION, caseId: B, outcome: 'failed', events: 3 }),
      expect.objectContaining({ projection: CASE_HISTORY_PROJECTION, caseId: B, outcome: 'failed', events: 3 }),
    ]);
    expect((await runner.parkedEvents({ caseId: B }))[0]).toMatchObject({
      replayAttempts: 1,
      error: expect.stringContaining('schema version 2'),
    });
    await runner.stop();

    // The release with the upcaster starts, and the operator replays the parked events.
    const fixed = await openRunner({ decode: decoderWithTheFix });
    const fixedModels = new ReadModels(fixed, store, { timeoutMs: WAIT_MS });
    fixed.start();
    await caughtUp(fixed);
    expect(await fixed.replayParked({ caseId: B })).toEqual([
      { projection: CASE_PROJECTION, caseId: B, outcome: 'replayed', events: 3 },
      { projection: CASE_HISTORY_PROJECTION, caseId: B, outcome: 'replayed', events: 3 },
    ]);

    expect(await fixed.parkedEvents()).toEqual([]);
    expect(await fixed.parkedCounts()).toEqual([]);
    const stream = await store.readStream(`case-${B}`);
    expect(await fixedModels.cases.view(B)).toMatchObject({
      revision: 4n,
      position: stream[4].position,
      state: { status: 'in_progress', unit: '市政所', eventCount: 5 },
      needsAttention: false,
    });
    expect((await fixedModels.history.history(B)).map((entry) => entry.position)).toEqual(stream.map((event) => event.position));
    // The case follows the log again.
    await append(B, storedEvent(B, caseSigned('2026-03-02T07:00:00.000Z', '市政所')));
    await caughtUp(fixed);
    expect(await fixedModels.cases.view(B)).toMatchObject({ revision: 5n, needsAttention: false });
    expect(await fixed.parkedEvents()).toEqual([]);
  });

  it('parks an event only in the projection that refuses to fold it', async () => {
    await append(D, storedEvent(D, petitionRegistered(D, '2026-03-02T01:00:00.000Z')));
    // A second intake in one stream: the domain's fold refuses it, the history just records it.
    const second = await append(D, storedEvent(D, petitionRegistered(D, '2026-03-02T02:00:00.000Z')));
    await append(A, storedEvent(A, petitionRegistered(A, '2026-03-02T03:00:00.000Z')));

    const runner = await openRunner();
    const readModels = new ReadModels(runner, store, { timeoutMs: WAIT_MS });
    runner.start();
    await caughtUp(runner);

    expect(await runner.parkedEvents()).toEqual([
      expect.objectContaining({ projection: CASE_PROJECTION, position: second.position, caseId: D, reason: 'refused' }),
    ]);
    expect((await runner.parkedEvents())[0].error).toMatch(/already has an intake event/);
    expect(await readModels.cases.view(D)).toMatchObject({ revision: 0n, needsAttention: true });
    expect(await readModels.cases.view(A)).toMatchObject({ revision: 0n, needsAttention: false });
    expect(await readModels.history.history(D)).toHaveLength(2);

    // No release reads it differently: the replay fails again and the event stays parked.
    expect(await runner.replayParked()).toEqual([
      expect.objectContaining({
        projection: CASE_PROJECTION,
        caseId: D,
        outcome: 'failed',
        events: 1,
        error: expect.stringMatching(/already has an intake event/),
      }),
    ]);
    expect(await runner.parkedCounts()).toEqual([{ projection: CASE_PROJECTION, events: 1, cases: 1 }]);
  });

  it('a rebuild stops short on a parked case as the live tables do, and keeps its parked events', async () => {
    for (const caseId of [A, B]) await append(caseId, storedEvent(caseId, petitionRegistered(caseId, '2026-03-02T01:00:00.000Z')));
    await append(B, storedEvent(B, caseAccepted('2026-03-02T02:00:00.000Z')));
    await append(B, dispatchedByALaterRelease(B, '市政所'));
    const runner = await openRunner();
    const readModels = new ReadModels(runner, store, { timeoutMs: WAIT_MS });
    runner.start();
    await caughtUp(runner);
    const before = await readModels.cases.view(B);

    await runner.rebuildAll();

    expect(await readModels.cases.view(B)).toEqual(before);
    expect(before).toMatchObject({ revision: 1n, needsAttention: true });
    expect(await runner.parkedCounts()).toEqual([
      { projection: CASE_PROJECTION, events: 1, cases: 1 },
      { projection: CASE_HISTORY_PROJECTION, events: 1, cases: 1 },
    ]);
  });
});
