import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { EVENT_STORE, SqliteEventStore, type EventStore } from '@cases/event-store';
import type { MessagingClient } from '@cases/messaging';
import { FAST_KAFKA_ENV, KafkaTestApp } from './kafka-mock/kafka-test-app';
import { registerKafkaCommands } from '../apps/case-service/src/cli/kafka-commands';
import { MockKafkaCluster } from './kafka-mock/mock-cluster';
import { TopicCollector } from './kafka-mock/topic-collector';
import { PlatformProducer, casesForTicket, dispatchedTicket, eventually, freshTicketNo, wholeLog } from './kafka-mock/kafka-fixtures';
import { MESSAGING_CLIENT } from '../apps/case-service/src/kafka/kafka.service';
import { PersonPseudonyms, pseudonymKey } from '../apps/case-service/src/kafka/relay/person-pseudonyms';
import { republishCaseEvents } from '../apps/case-service/src/kafka/relay/republish';
import { replayDeadLetters } from '../apps/case-service/src/kafka/tickets/dead-letter-replay';
import { HOTLINE_TICKET_INTAKE, type HotlineTicketIntake } from '../apps/case-service/src/kafka/tickets/hotline-ticket-intake';

/**
 * Kafka operations (issue 11) against librdkafka's mock cluster: the consumer's lag on /metrics,
 * `kafka replay-dlq` feeding dead-lettered tickets back after a fix, and `kafka republish`
 * publishing case events again from a log position. The CLI commands are thin wrappers around
 * the two functions run here against the running service's own client, intake and store.
 */

const TICKETS = 'gov12345.tickets';
const DLQ = 'gov12345.tickets.dlq';
const CASE_EVENTS = 'cases.events';

describe('Kafka operations', () => {
  let cluster: MockKafkaCluster;
  let platform: PlatformProducer;
  let topics: TopicCollector;
  let service: KafkaTestApp;

  const get = <T>(token: symbol): T => service.app.get<symbol, T>(token, { strict: false });
  const store = (): EventStore => get<EventStore>(EVENT_STORE);

  beforeAll(async () => {
    cluster = await MockKafkaCluster.start();
    platform = await PlatformProducer.connect(cluster.brokers);
    topics = await TopicCollector.start(cluster.brokers, [DLQ, CASE_EVENTS]);
    service = await KafkaTestApp.start({ brokers: cluster.bootstrap });
  });

  afterAll(async () => {
    await service?.stop();
    await topics?.stop();
    await platform?.disconnect();
    await cluster?.stop();
  });

  it("reports the ticket consumer's lag per partition and the relay's lag on /metrics, and Kafka ok in readiness", async () => {
    const ticketNo = freshTicketNo();
    await platform.send(TICKETS, [{ key: ticketNo, value: JSON.stringify(dispatchedTicket(ticketNo)) }]);
    await eventually(
      () => casesForTicket(store(), ticketNo),
      (cases) => cases.length === 1,
    );
    const metrics = await eventually(
      async () => (await service.t.http.get('/metrics')).text,
      (text) => /^cases_kafka_consumer_lag_messages\{topic="gov12345\.tickets",partition="\d+"\} 0$/m.test(text),
      20_000,
      'the consumer lag gauge',
    );
    expect(metrics).toMatch(/^cases_kafka_relay_lag_events \d+$/m);
    expect(metrics).toMatch(/^cases_kafka_relay_running 1$/m);
    // Every ticket handled in well under a minute: none held long.
    const oldestInHand = /^cases_kafka_consumer_oldest_in_hand_seconds (\S+)$/m.exec(metrics);
    expect(Number(oldestInHand?.[1])).toBeLessThan(60);
    // Labels are topics and partitions: no ticket number, no key.
    expect(metrics).not.toContain(ticketNo);
    const ready = await service.t.http.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.info.kafka).toMatchObject({ status: 'up', state: 'ok', tickets: 'running', relay: 'running' });
  });

  it('replay-dlq: an urge dead-lettered before its ticket arrived is applied once the ticket is on file; the rest is reported', async () => {
    const ticketNo = freshTicketNo();
    const urge = JSON.stringify({ schema: 'gov12345.ticket.urged/v1', ticketNo, urgedAt: '2026-03-02T08:50:00+08:00', note: '请尽快处理' });
    // The urge overtook its ticket (another partition): refused, dead-lettered. Garbage can never apply.
    await platform.send(TICKETS, [
      { key: ticketNo, value: urge, partition: 1 },
      { key: `${ticketNo}-garbage`, value: '{"schema":', partition: 1 },
    ]);
    await topics.waitFor(DLQ, (messages) => messages.filter((message) => message.key?.startsWith(ticketNo)).length === 2);
    await platform.send(TICKETS, [{ key: ticketNo, value: JSON.stringify(dispatchedTicket(ticketNo)), partition: 2 }]);
    const [caseId] = await eventually(
      () => casesForTicket(store(), ticketNo),
      (cases) => cases.length === 1,
    );

    const replay = () =>
      replayDeadLetters({
        client: get<MessagingClient>(MESSAGING_CLIENT),
        intake: get<HotlineTicketIntake>(HOTLINE_TICKET_INTAKE),
        deadLetterTopic: DLQ,
        groupId: `dlq-replay-${freshTicketNo()}`,
        timeoutMs: 30_000,
        retry: { initialMs: 100, maxMs: 500 },
      });
    const first = await replay();
    expect(first.notReached).toBe(0);
    expect(first.read).toBeGreaterThanOrEqual(2);
    expect(first.stillFailing).toContainEqual({
      original: expect.stringMatching(/^gov12345\.tickets\/1@\d+$/),
      reason: 'unparseable',
      detail: 'the value is not JSON',
    });
    const history = await service.t.history(caseId);
    expect(history.map((event: { type: string }) => event.type)).toEqual(['HotlineTicketReceived', 'CaseUrged']);
    expect(history[1]).toMatchObject({ actor: { id: '12345-platform' }, occurredAt: '2026-03-02T00:50:00.000Z' });

    // Replayed again: the urge is recognised and nothing new is written.
    const second = await replay();
    expect(second.read).toBe(first.read);
    expect((await service.t.history(caseId)).length).toBe(2);
    // Nothing was dead-lettered again by the replays.
    expect(topics.on(DLQ).filter((message) => message.key?.startsWith(ticketNo))).toHaveLength(2);
  });

  it('republish: publishes the case events again from a log position, same event ids, keys and values', async () => {
    const ticketNo = freshTicketNo();
    await platform.send(TICKETS, [{ key: ticketNo, value: JSON.stringify(dispatchedTicket(ticketNo)) }]);
    const [caseId] = await eventually(
      () => casesForTicket(store(), ticketNo),
      (cases) => cases.length === 1,
    );
    const logged = (await wholeLog(store())).filter((event) => event.streamId === `case-${caseId}`);
    const firstSeen = await topics.waitFor(CASE_EVENTS, (messages) => messages.some((message) => message.key === caseId));
    const original = firstSeen.find((message) => message.key === caseId);
    const before = topics.on(CASE_EVENTS).length;

    const result = await republishCaseEvents({
      store: store(),
      producer: get<MessagingClient>(MESSAGING_CLIENT).producer(),
      // The key the service generated into its DATA_DIR, as the CLI reads it.
      pseudonyms: new PersonPseudonyms(pseudonymKey(undefined, service.dataDir)),
      topics: { caseEvents: CASE_EVENTS, status: null },
      from: logged[0].position,
      batchSize: 100,
      retry: { initialMs: 100, maxMs: 500 },
      timeoutMs: 30_000,
    });
    expect(result.from).toBe(logged[0].position);
    expect(result.messages).toBeGreaterThanOrEqual(1);
    const again = await topics.waitFor(
      CASE_EVENTS,
      (messages) => messages.length > before && messages.slice(before).some((m) => m.key === caseId),
    );
    const repeat = again.slice(before).find((message) => message.key === caseId);
    expect(repeat?.headers['event-id']).toBe(logged[0].id);
    expect(repeat?.headers['event-id']).toBe(original?.headers['event-id']);
    expect(repeat?.value.equals(original?.value ?? Buffer.alloc(0))).toBe(true);
    // Nothing before the position asked for was sent again.
    const earlier = new Set((await wholeLog(store())).filter((event) => event.position < logged[0].position).map((event) => event.id));
    expect(again.slice(before).filter((message) => earlier.has(message.headers['event-id']))).toEqual([]);
  });

  it('the CLI: `kafka replay-dlq` applies a dead-lettered ticket into its DATA_DIR, `kafka republish` reports what it sent', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'case-service-kafka-cli-'));
    const saved = process.env;
    const printed: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const exitCode = process.exitCode;
    const cli = async (...args: string[]) => {
      const program = new Command().exitOverride();
      registerKafkaCommands(program);
      await program.parseAsync(['node', 'cli', ...args]);
    };
    try {
      // A ticket that reached the dead-letter topic (a release back then could not take it).
      const ticketNo = freshTicketNo();
      await platform.send(DLQ, [
        {
          key: ticketNo,
          value: JSON.stringify(dispatchedTicket(ticketNo)),
          headers: { 'dlq-reason': 'unsupported', 'dlq-original-topic': TICKETS },
        },
      ]);
      process.env = {
        ...saved,
        ...FAST_KAFKA_ENV,
        DATA_DIR: dataDir,
        KAFKA_BROKERS: cluster.bootstrap,
        SCHEDULER_INTERVAL_MS: '0',
        LOG_LEVEL: 'silent',
      };
      await cli('kafka', 'replay-dlq', '--timeout', '60');
      expect(printed.at(-1)).toMatch(/^\d+ dead-lettered messages read: \d+ applied \([1-9]\d* new cases\)/);
      await cli('kafka', 'republish', '--from', '1', '--timeout', '60');
      expect(printed.at(-1)).toMatch(/^Published positions 1 to \d+ again: [1-9]\d* messages$/);
    } finally {
      process.env = saved;
      process.exitCode = exitCode;
      log.mockRestore();
      error.mockRestore();
    }
    const file = SqliteEventStore.open(join(dataDir, 'events.db'));
    try {
      expect((await wholeLog(file)).filter((event) => event.type === 'HotlineTicketReceived')).toHaveLength(1);
    } finally {
      await file.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
