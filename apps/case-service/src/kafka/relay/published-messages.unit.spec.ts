import { randomUUID } from 'node:crypto';
import type { ExtensionDecided } from '@cases/domain';
import type { OutgoingMessage } from '@cases/messaging';
import {
  DESK,
  ORG_ID,
  SUPERVISOR,
  caseDispatched,
  caseResolved,
  caseReturned,
  caseReviewed,
  caseSigned,
  disputeRegistered,
  hotlineTicketReceived,
  petitionRegistered,
  unitUser,
} from '../../../../../libs/read-models/src/testing/case-events';
import { RecordedLog } from '../../../../../libs/read-models/src/testing/recorded-log';
import { PersonPseudonyms } from './person-pseudonyms';
import {
  caseEventMessage,
  loggedCaseEvent,
  platformStatusMessage,
  platformStatusOf,
  type LoggedCaseEvent,
  type PublishedCaseEvent,
} from './published-messages';

const pseudonyms = new PersonPseudonyms(Buffer.alloc(32, 7));
const PERSONAL_VALUES = ['张三', '13800001234', '610113199001011234', '李四', '13900005678'];

function logged(event: ReturnType<RecordedLog['record']>): LoggedCaseEvent {
  const result = loggedCaseEvent(event);
  if (!result) throw new Error(`${event.type} is not a case event`);
  return result;
}

function headers(message: OutgoingMessage): Record<string, string> {
  return Object.fromEntries((message.headers ?? []).map((header) => [header.name, header.value.toString('utf8')]));
}

function valueOf(message: OutgoingMessage): PublishedCaseEvent {
  return JSON.parse(message.value.toString('utf8'));
}

describe('messages published to cases.events', () => {
  it('carry the event keyed by case id with the three headers, and the personal part replaced by references', () => {
    const log = new RecordedLog();
    const caseId = randomUUID();
    const recorded = log.record(caseId, hotlineTicketReceived(caseId, '2026-03-02T01:00:00.000Z'), { correlationId: 'corr-1' });
    const entry = logged(recorded);
    const persons = pseudonyms.referencesFor(ORG_ID, caseId, recorded.personal);
    const message = caseEventMessage(entry, persons, 'cases.events');

    expect(message.topic).toBe('cases.events');
    expect(message.key).toBe(caseId);
    expect(headers(message)).toEqual({ 'event-id': recorded.id, 'event-type': 'HotlineTicketReceived', 'schema-version': '1' });
    const value = valueOf(message);
    expect(value).toEqual({
      eventId: recorded.id,
      type: 'HotlineTicketReceived',
      schemaVersion: 1,
      caseId,
      orgId: ORG_ID,
      revision: 0,
      position: 1,
      command: 'intake',
      actor: DESK,
      occurredAt: '2026-03-02T01:00:00.000Z',
      recordedAt: '2026-03-02T01:00:00.000Z',
      correlationId: 'corr-1',
      causationId: null,
      data: recorded.data,
      persons: [{ role: 'caller', index: 0, ref: pseudonyms.reference(ORG_ID, caseId, 'caller', 0) }],
    });
    expect(value).not.toHaveProperty('personal');
    const bytes = message.value.toString('utf8');
    for (const personal of PERSONAL_VALUES) expect(bytes).not.toContain(personal);
  });

  it('carry a ticket correction without the corrected caller: the field is named, the caller is the same reference as at intake', () => {
    const log = new RecordedLog();
    const caseId = randomUUID();
    log.record(caseId, hotlineTicketReceived(caseId, '2026-03-02T01:00:00.000Z'));
    const recorded = log.record(caseId, {
      type: 'HotlineTicketAmended',
      data: { changed: ['title', 'caller'], title: '路灯不亮（更正）' },
      personal: { caller: { name: '王五', phone: '13700001111' } },
      occurredAt: '2026-03-02T02:00:00.000Z',
      actor: { id: '12345-platform', role: 'system' },
    });
    const message = caseEventMessage(logged(recorded), pseudonyms.referencesFor(ORG_ID, caseId, recorded.personal), 'cases.events');
    expect(valueOf(message)).toMatchObject({
      type: 'HotlineTicketAmended',
      command: 'amend-ticket',
      data: { changed: ['title', 'caller'], title: '路灯不亮（更正）' },
      persons: [{ role: 'caller', index: 0, ref: pseudonyms.reference(ORG_ID, caseId, 'caller', 0) }],
    });
    const bytes = message.value.toString('utf8');
    for (const personal of [...PERSONAL_VALUES, '王五', '13700001111']) expect(bytes).not.toContain(personal);
  });

  it('give every person of a case a stable reference of their own, unrelated to the same role in another case', () => {
    const log = new RecordedLog();
    const dispute = randomUUID();
    const recorded = log.record(dispute, disputeRegistered(dispute, '2026-03-02T01:00:00.000Z'));
    const persons = pseudonyms.referencesFor(ORG_ID, dispute, recorded.personal);
    expect(persons.map(({ role, index }) => `${role}/${index}`)).toEqual(
      (recorded.personal as { parties: unknown[] }).parties.map((_party, index) => `parties/${index}`),
    );
    expect(new Set(persons.map((person) => person.ref)).size).toBe(persons.length);
    expect(pseudonyms.referencesFor(ORG_ID, dispute, recorded.personal)).toEqual(persons);
    const other = randomUUID();
    expect(pseudonyms.reference(ORG_ID, other, 'parties', 0)).not.toBe(persons[0].ref);
    expect(new PersonPseudonyms(Buffer.alloc(32, 8)).reference(ORG_ID, dispute, 'parties', 0)).not.toBe(persons[0].ref);
    expect(persons[0].ref).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('upcast older events: a petition stored at schema version 1, petitioner inside its data, leaves as version 2 without them', () => {
    const log = new RecordedLog();
    const caseId = randomUUID();
    const { personal: _personal, ...current } = log.record(caseId, petitionRegistered(caseId, '2026-03-02T01:00:00.000Z'));
    const { channel: _channel, ...data } = current.data as Record<string, unknown>;
    const v1 = log.append(current.streamId, {
      type: 'PetitionRegistered',
      data: { ...data, channel: '来访', petitionerName: '张三', petitionerPhone: '13800001234' },
      personal: null,
      metadata: { ...current.metadata, schemaVersion: 1 },
    });
    const entry = logged(v1);
    const message = caseEventMessage(entry, pseudonyms.referencesFor(ORG_ID, caseId, entry.event.personal), 'cases.events');
    expect(headers(message)['schema-version']).toBe('2');
    const value = valueOf(message);
    expect(value.data).toEqual({ ...data, channel: 'visit' });
    expect(value.persons).toEqual([{ role: 'petitioner', index: 0, ref: pseudonyms.reference(ORG_ID, caseId, 'petitioner', 0) }]);
    for (const personal of PERSONAL_VALUES) expect(message.value.toString('utf8')).not.toContain(personal);
  });

  it('leave out events of streams that are not a case', () => {
    const log = new RecordedLog();
    expect(loggedCaseEvent(log.recordCaseNumberAllocation(randomUUID()))).toBeNull();
  });
});

const PLATFORM = { id: '12345-platform', role: 'system' } as const;

describe('messages published to gov12345.status', () => {
  const unit = unitUser('市政所');
  const at = '2026-03-02T02:00:00.000Z';
  const log = new RecordedLog();
  const caseId = randomUUID();
  log.record(caseId, hotlineTicketReceived(caseId, '2026-03-02T01:00:00.000Z'));

  function statusOf(event: Parameters<RecordedLog['record']>[1]) {
    return platformStatusOf(logged(log.record(caseId, event)).event);
  }

  it('report sign, return, approved extension, resolve, call-back and withdrawal, nothing else', () => {
    expect(statusOf(caseDispatched(at, '市政所'))).toBeNull();
    expect(statusOf(caseSigned(at, '市政所'))).toEqual({ status: 'signed', unit: '市政所' });
    expect(statusOf(caseReturned(at, '市政所', '不属于本单位职责'))).toEqual({
      status: 'returned',
      unit: '市政所',
      reason: '不属于本单位职责',
    });
    const approved: ExtensionDecided = {
      type: 'ExtensionDecided',
      data: { requestId: 'r-1', milestone: 'resolve', approved: true, reason: '同意' },
      occurredAt: at,
      actor: SUPERVISOR,
    };
    expect(statusOf(approved)).toEqual({ status: 'extended', reason: '同意' });
    expect(statusOf({ ...approved, data: { ...approved.data, approved: false } })).toBeNull();
    expect(statusOf({ ...caseResolved('hotline', at, '市政所'), actor: unit })).toEqual({
      status: 'resolved',
      reply: expect.any(String),
      unit: '市政所',
    });
    expect(statusOf(caseResolved('petition', at, '市政所'))).toBeNull();
    expect(statusOf(caseReviewed(at, 'satisfied'))).toEqual({ status: 'reviewed' });
    expect(statusOf({ type: 'CaseUrged', data: {}, occurredAt: at, actor: PLATFORM })).toBeNull();
    expect(
      statusOf({ type: 'HotlineTicketAmended', data: { changed: ['title'], title: '路灯不亮（更正）' }, occurredAt: at, actor: PLATFORM }),
    ).toBeNull();
    expect(statusOf({ type: 'CaseWithdrawn', data: { reason: '市民已自行解决' }, occurredAt: at, actor: PLATFORM })).toEqual({
      status: 'withdrawn',
      reason: '市民已自行解决',
    });
  });

  it('have the documented shape, keyed by ticket number, with the reported event id', () => {
    const entry = logged(log.record(caseId, caseReturned(at, '市政所', '不属于本单位职责')));
    const status = platformStatusOf(entry.event);
    if (!status) throw new Error('a return is reported');
    const message = platformStatusMessage(entry, 'GD20260302-000123', status, 'gov12345.status');
    expect(message).toMatchObject({ topic: 'gov12345.status', key: 'GD20260302-000123' });
    expect(headers(message)).toEqual({ 'event-id': entry.recorded.id, 'schema-version': '1' });
    expect(JSON.parse(message.value.toString('utf8'))).toEqual({
      schema: 'gov12345.ticket.status/v1',
      ticketNo: 'GD20260302-000123',
      status: 'returned',
      at,
      unit: '市政所',
      reason: '不属于本单位职责',
    });
  });
});
