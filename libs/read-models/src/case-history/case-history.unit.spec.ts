import { caseAccepted, caseDispatched, caseReturned, DESK, ORG_ID, petitionRegistered, unitUser } from '../testing/case-events';
import { ProjectionOnMemory } from '../testing/projection-on-memory';
import { RecordedLog } from '../testing/recorded-log';
import { caseHistoryProjection } from './case-history.projection';
import { getCaseHistory } from './get-case-history';

const CASE_ID = 'c0ffee00-0000-4000-8000-000000000001';

describe('case history projection', () => {
  let projection: ProjectionOnMemory;
  let log: RecordedLog;
  const db = () => projection.db;

  beforeEach(async () => {
    projection = await ProjectionOnMemory.open(caseHistoryProjection());
    log = new RecordedLog();
  });
  afterEach(() => projection.close());

  it('records every event of the case in order, with who, when, why and the command', async () => {
    await projection.apply([
      log.record(CASE_ID, petitionRegistered(CASE_ID, '2026-03-02T09:00:00+08:00'), {
        recordedAt: '2026-03-02T01:00:05.000Z',
        correlationId: 'correlation-intake',
      }),
      log.record(CASE_ID, caseAccepted('2026-03-02T02:00:00.000Z')),
      log.record(CASE_ID, caseDispatched('2026-03-02T03:00:00.000Z', '城管执法中队')),
      log.record(CASE_ID, caseReturned('2026-03-02T04:00:00.000Z', '城管执法中队', '不属于本单位职责'), {
        correlationId: 'correlation-return',
        causationId: 'command-return-1',
      }),
    ]);

    const history = await getCaseHistory(db(), CASE_ID);

    expect(history.map((entry) => [entry.revision, entry.position, entry.type, entry.command])).toEqual([
      [0n, 1n, 'PetitionRegistered', 'intake'],
      [1n, 2n, 'CaseAccepted', 'accept'],
      [2n, 3n, 'CaseDispatched', 'dispatch'],
      [3n, 4n, 'CaseReturned', 'return'],
    ]);
    expect(history[0]).toMatchObject({
      caseId: CASE_ID,
      occurredAt: '2026-03-02T09:00:00+08:00',
      recordedAt: '2026-03-02T01:00:05.000Z',
      actor: DESK,
      correlationId: 'correlation-intake',
      causationId: null,
    });
    expect(history[0]).not.toHaveProperty('reason');
    expect(history[3]).toEqual({
      caseId: CASE_ID,
      revision: 3n,
      position: 4n,
      type: 'CaseReturned',
      occurredAt: '2026-03-02T04:00:00.000Z',
      recordedAt: '2026-03-02T04:00:00.000Z',
      actor: unitUser('城管执法中队'),
      command: 'return',
      correlationId: 'correlation-return',
      causationId: 'command-return-1',
      reason: '不属于本单位职责',
      data: { unit: '城管执法中队', reason: '不属于本单位职责' },
    });
  });

  it('never stores the personal part of an event', async () => {
    await projection.apply([log.record(CASE_ID, petitionRegistered(CASE_ID, '2026-03-02T01:00:00.000Z'))]);

    const everything = JSON.stringify(await db().selectFrom('case_history').selectAll().execute(), (_key, value: unknown) =>
      typeof value === 'bigint' ? String(value) : value,
    );
    expect(everything).not.toContain('张三');
    expect(everything).not.toContain('13800001234');
    expect(everything).not.toContain('610113199001011234');
    expect((await getCaseHistory(db(), CASE_ID))[0].data).not.toHaveProperty('petitioner');
  });

  it('keeps out personal data that an old schema version held in data, by upcasting first', async () => {
    await projection.apply([
      log.append(`case-${CASE_ID}`, {
        type: 'PetitionRegistered',
        data: {
          caseId: CASE_ID,
          orgId: ORG_ID,
          kind: 'petition',
          number: 'XF2025-0042',
          title: '拖欠工资',
          description: '工地拖欠三个月工资',
          community: '雁塔社区',
          channel: '来访',
          petitionerName: '孙七',
          petitionerPhone: '13700009999',
        },
        personal: null,
        metadata: {
          schemaVersion: 1,
          orgId: ORG_ID,
          caseId: CASE_ID,
          command: 'intake',
          actor: DESK,
          occurredAt: '2025-06-01T01:00:00.000Z',
          recordedAt: '2025-06-01T01:00:00.000Z',
          correlationId: 'correlation-v1',
          causationId: null,
        },
      }),
    ]);

    const everything = JSON.stringify(await db().selectFrom('case_history').selectAll().execute(), (_key, value: unknown) =>
      typeof value === 'bigint' ? String(value) : value,
    );
    expect(everything).not.toContain('孙七');
    expect(everything).not.toContain('13700009999');
    expect((await getCaseHistory(db(), CASE_ID))[0].data).toMatchObject({ channel: 'visit', number: 'XF2025-0042' });
  });

  it('ignores a redelivered event', async () => {
    const events = log.recordAll(CASE_ID, [
      petitionRegistered(CASE_ID, '2026-03-02T01:00:00.000Z'),
      caseAccepted('2026-03-02T02:00:00.000Z'),
    ]);
    await projection.apply(events);

    await projection.apply(events);
    await projection.apply([events[1]]);

    expect((await getCaseHistory(db(), CASE_ID)).map((entry) => entry.revision)).toEqual([0n, 1n]);
  });

  it('skips streams that are not cases and answers an empty history for an unknown case', async () => {
    await projection.apply([log.recordCaseNumberAllocation(CASE_ID)]);

    expect(await projection.count('case_history')).toBe(0);
    expect(await getCaseHistory(db(), CASE_ID)).toEqual([]);
  });
});
