import type { RecordedEvent } from '@cases/event-store';
import { MockKafkaCluster } from './kafka-mock/mock-cluster';
import { KafkaTestApp } from './kafka-mock/kafka-test-app';
import { TopicCollector, type CollectedMessage } from './kafka-mock/topic-collector';
import { eventStoreOf, eventually, freshTicketNo, wholeLog } from './kafka-mock/kafka-fixtures';
import { FULL_PERSONAL_VALUES, disputeBody, hotlineBody, petitionBody } from './support/bodies';
import { DESK, SUPERVISOR, unitUser, type TestActor } from './support/test-app';

/**
 * Case events and ticket statuses out (SPEC §8, issue 11): the relay publishes the global log to
 * `cases.events` and the platform's statuses to `gov12345.status`, against librdkafka's mock
 * cluster over TCP, at least once, in order per case, without personal data.
 */

const CASE_EVENTS = 'cases.events';
const STATUS = 'gov12345.status';
const UNIT = '市政所';
const UNIT_USER = unitUser(UNIT, 'unit-shizheng-kafka');

interface Published {
  eventId: string;
  type: string;
  schemaVersion: number;
  caseId: string;
  revision: number;
  position: number;
  data: Record<string, unknown>;
  persons?: { role: string; index: number; ref: string }[];
}

function published(message: CollectedMessage): Published {
  return JSON.parse(message.value.toString('utf8'));
}

/** Every message, key, header and value, read as text: none may hold a person's name or phone. */
function expectNoPersonalData(messages: readonly CollectedMessage[]): void {
  expect(messages.length).toBeGreaterThan(0);
  for (const message of messages) {
    const text = [message.key ?? '', ...Object.entries(message.headers).flat(), message.value.toString('utf8')].join('\n');
    const leaked = FULL_PERSONAL_VALUES.filter((value) => text.includes(value));
    expect(leaked).toEqual([]);
    // No 11-digit mainland mobile number anywhere (digits inside a UUID do not count).
    expect(text).not.toMatch(/(?<![0-9a-f-])1[3-9]\d{9}(?![0-9a-f])/i);
  }
}

/** The case events of the given cases in the log, in log order. */
async function caseEventsOf(service: KafkaTestApp, caseIds: readonly string[]): Promise<RecordedEvent[]> {
  const wanted = new Set(caseIds.map((id) => `case-${id}`));
  return (await wholeLog(eventStoreOf(service))).filter((event) => wanted.has(event.streamId));
}

/**
 * What a consumer deduplicating by `event-id` sees of one case: each event once, in the order the
 * topic holds them. Also checks every message of the case is on one partition.
 */
function dedupedStream(messages: readonly CollectedMessage[], caseId: string): Published[] {
  const ofCase = messages.filter((message) => message.key === caseId);
  expect(new Set(ofCase.map((message) => message.partition)).size).toBeLessThanOrEqual(1);
  const seen = new Set<string>();
  const stream: Published[] = [];
  for (const message of [...ofCase].sort((a, b) => (a.offset < b.offset ? -1 : 1))) {
    const eventId = message.headers['event-id'];
    if (seen.has(eventId)) continue;
    seen.add(eventId);
    stream.push(published(message));
  }
  return stream;
}

function expectPublishedInOrder(messages: readonly CollectedMessage[], logged: readonly RecordedEvent[], caseIds: readonly string[]): void {
  for (const caseId of caseIds) {
    const expected = logged.filter((event) => event.streamId === `case-${caseId}`);
    const stream = dedupedStream(messages, caseId);
    expect(stream.map((event) => event.eventId)).toEqual(expected.map((event) => event.id));
    expect(stream.map((event) => event.revision)).toEqual(expected.map((event) => Number(event.revision)));
  }
}

describe('Kafka: case events and ticket statuses out', () => {
  let cluster: MockKafkaCluster;
  let collector: TopicCollector;
  let service: KafkaTestApp | undefined;
  let dataDir: string | undefined;

  async function startService(env: Record<string, string> = {}): Promise<KafkaTestApp> {
    service = await KafkaTestApp.start({
      brokers: cluster.bootstrap,
      ...(dataDir ? { dataDir } : {}),
      env: { KAFKA_CONSUME_TICKETS: 'false', ...env },
    });
    dataDir = service.dataDir;
    return service;
  }

  function app(): KafkaTestApp {
    if (!service) throw new Error('the service is not running');
    return service;
  }

  async function hotline(ticketNo = freshTicketNo()): Promise<string> {
    return (await app().t.intake('hotline', hotlineBody({ platformTicketNo: ticketNo }), { as: DESK })).body.id;
  }

  async function act(caseId: string, action: string, body: Record<string, unknown>, as: TestActor): Promise<void> {
    await app().t.ok(caseId, action, body, { as });
  }

  beforeAll(async () => {
    cluster = await MockKafkaCluster.start();
    collector = await TopicCollector.start(cluster.brokers, [CASE_EVENTS, STATUS]);
    await startService();
  });

  afterAll(async () => {
    await service?.stop();
    await collector?.stop();
    await cluster?.stop();
  });

  it("publishes each case's events keyed by case id, in order, with headers, people replaced by references, and the platform's statuses", async () => {
    const ticketNo = freshTicketNo();
    const ticket = await hotline(ticketNo);
    await act(ticket, 'dispatch', { unit: UNIT }, DESK);
    await act(ticket, 'sign', {}, UNIT_USER);
    await act(ticket, 'return', { reason: '不属于本单位职责范围' }, UNIT_USER);
    await act(ticket, 'dispatch', { unit: UNIT }, DESK);
    await act(ticket, 'sign', {}, UNIT_USER);
    await act(ticket, 'request-extension', { days: 3, reason: '需协调供电部门更换线路' }, UNIT_USER);
    await act(ticket, 'decide-extension', { approved: true }, SUPERVISOR);
    const petition = (await app().t.intake('petition', petitionBody(), { as: DESK })).body.id;
    const dispute = (await app().t.intake('dispute', disputeBody(), { as: DESK })).body.id;
    // A petition signed before the ticket's last steps: the relay publishes in log order, so a
    // status for it would be on the topic before the ticket's last status.
    await act(petition, 'accept', {}, DESK);
    await act(petition, 'dispatch', { unit: UNIT }, DESK);
    await act(petition, 'sign', {}, UNIT_USER);
    await act(ticket, 'resolve', { reply: '已更换路灯灯泡，恢复照明。' }, UNIT_USER);
    await act(ticket, 'review', { satisfaction: 'satisfied', solved: true }, DESK);
    // A second ticket, withdrawn while with the unit: the platform hears of it as `withdrawn`.
    const withdrawnNo = freshTicketNo();
    const withdrawn = await hotline(withdrawnNo);
    await act(withdrawn, 'dispatch', { unit: UNIT }, DESK);
    await act(withdrawn, 'withdraw', { reason: '市民已自行解决' }, SUPERVISOR);
    const caseIds = [ticket, petition, dispute];

    const logged = await caseEventsOf(app(), caseIds);
    const messages = await collector.waitFor(CASE_EVENTS, (seen) =>
      logged.every((event) => seen.some((m) => m.headers['event-id'] === event.id)),
    );
    expectPublishedInOrder(messages, logged, caseIds);
    for (const event of logged) {
      const message = messages.find((m) => m.headers['event-id'] === event.id) as CollectedMessage;
      expect(message.key).toBe((event.metadata as { caseId: string }).caseId);
      expect(message.headers).toEqual({ 'event-id': event.id, 'event-type': event.type, 'schema-version': expect.stringMatching(/^\d+$/) });
      const value = published(message);
      expect(value).not.toHaveProperty('personal');
      expect(value.schemaVersion).toBe(Number(message.headers['schema-version']));
    }
    const intakes = caseIds.map((caseId) => dedupedStream(messages, caseId)[0]);
    expect(intakes.map((intake) => intake.persons?.map((person) => `${person.role}/${person.index}`))).toEqual([
      ['caller/0'],
      ['petitioner/0'],
      disputeBody().parties.map((_party, index) => `parties/${index}`),
    ]);

    const statuses = await collector.waitFor(STATUS, (seen) => seen.filter((m) => m.key === ticketNo).length >= 6);
    const ofTicket = statuses.filter((m) => m.key === ticketNo).map((m) => JSON.parse(m.value.toString('utf8')));
    expect(ofTicket).toEqual([
      { schema: 'gov12345.ticket.status/v1', ticketNo, status: 'signed', at: expect.any(String), unit: UNIT },
      {
        schema: 'gov12345.ticket.status/v1',
        ticketNo,
        status: 'returned',
        at: expect.any(String),
        unit: UNIT,
        reason: '不属于本单位职责范围',
      },
      { schema: 'gov12345.ticket.status/v1', ticketNo, status: 'signed', at: expect.any(String), unit: UNIT },
      { schema: 'gov12345.ticket.status/v1', ticketNo, status: 'extended', at: expect.any(String), reason: '需协调供电部门更换线路' },
      {
        schema: 'gov12345.ticket.status/v1',
        ticketNo,
        status: 'resolved',
        at: expect.any(String),
        unit: UNIT,
        reply: '已更换路灯灯泡，恢复照明。',
      },
      { schema: 'gov12345.ticket.status/v1', ticketNo, status: 'reviewed', at: expect.any(String) },
    ]);
    const withdrawal = await collector.waitFor(STATUS, (seen) => seen.some((m) => m.key === withdrawnNo));
    expect(withdrawal.filter((m) => m.key === withdrawnNo).map((m) => JSON.parse(m.value.toString('utf8')))).toEqual([
      { schema: 'gov12345.ticket.status/v1', ticketNo: withdrawnNo, status: 'withdrawn', at: expect.any(String), reason: '市民已自行解决' },
    ]);
    // The petition's sign is not the platform's business (in this suite only this test signs anything).
    expect(statuses.filter((m) => m.key !== ticketNo && m.key !== withdrawnNo)).toEqual([]);
    expectNoPersonalData(collector.messages);
  });

  it('takes commands while Kafka is down, reports the relay degraded, and catches up in order when Kafka is back', async () => {
    const before = await hotline();
    await collector.waitFor(CASE_EVENTS, (seen) => seen.some((m) => m.key === before));
    await cluster.down();
    try {
      const during: string[] = [];
      for (let index = 0; index < 5; index++) {
        const caseId = await hotline();
        await act(caseId, 'dispatch', { unit: UNIT }, DESK);
        during.push(caseId);
      }
      const degraded = await eventually(
        () => app().kafkaHealth(),
        (health) => health.relay.state === 'degraded',
        20_000,
        'the relay degraded',
      );
      expect(degraded).toMatchObject({
        status: 'degraded',
        relay: { state: 'degraded', lag: expect.any(Number), lastError: expect.any(String) },
      });
      expect(degraded.relay.lag).toBeGreaterThan(0);
      expect((await app().t.http.get('/health')).status).toBe(200);
      // Readiness reports the relay degraded, and stays ready: commands go on being taken.
      const ready = await app().t.http.get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.info.kafka).toMatchObject({ status: 'up', state: 'degraded', relay: 'degraded' });
      const metrics = (await app().t.http.get('/metrics')).text;
      expect(metrics).toMatch(/^cases_kafka_relay_running 0$/m);
      expect(Number(/^cases_kafka_relay_lag_events (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
      await cluster.up();

      const recovered = await eventually(
        () => app().kafkaHealth(),
        (health) => health.relay.state === 'running' && health.relay.lag === 0,
        30_000,
        'the relay caught up',
      );
      expect(recovered.status).toBe('ok');
      const caughtUp = (await app().t.http.get('/metrics')).text;
      expect(caughtUp).toMatch(/^cases_kafka_relay_running 1$/m);
      expect(caughtUp).toMatch(/^cases_kafka_relay_lag_events 0$/m);
      const logged = await caseEventsOf(app(), during);
      const messages = await collector.waitFor(
        CASE_EVENTS,
        (seen) => logged.every((event) => seen.some((m) => m.headers['event-id'] === event.id)),
        30_000,
      );
      expectPublishedInOrder(messages, logged, during);
      expectNoPersonalData(collector.messages);
    } finally {
      await cluster.up();
    }
  });

  it('resumes from its durable checkpoint after a restart: events recorded while it was off are published, earlier ones are not sent again', async () => {
    const published = await hotline();
    const publishedEvents = await caseEventsOf(app(), [published]);
    await collector.waitFor(CASE_EVENTS, (seen) => publishedEvents.every((event) => seen.some((m) => m.headers['event-id'] === event.id)));
    await app().stop(false);

    // Commands while nothing publishes: they wait in the log, which is the outbox.
    await startService({ KAFKA_RELAY: 'false' });
    const offline = await hotline();
    await act(offline, 'dispatch', { unit: UNIT }, DESK);
    await app().stop(false);

    await startService();
    const offlineEvents = await caseEventsOf(app(), [offline]);
    const messages = await collector.waitFor(CASE_EVENTS, (seen) =>
      offlineEvents.every((event) => seen.some((m) => m.headers['event-id'] === event.id)),
    );
    expectPublishedInOrder(messages, offlineEvents, [offline]);
    for (const event of publishedEvents) {
      expect(messages.filter((m) => m.headers['event-id'] === event.id)).toHaveLength(1);
    }
    const health = await eventually(
      () => app().kafkaHealth(),
      (report) => report.relay.lag === 0,
      10_000,
      'the relay caught up',
    );
    expect(health.relay).toMatchObject({ state: 'running', lag: 0 });
    expectNoPersonalData(collector.messages);
  });
});
