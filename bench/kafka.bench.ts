import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type { RecordedEvent } from '@cases/event-store';
import { MockKafkaCluster } from '../test/kafka-mock/mock-cluster';
import { KafkaTestApp } from '../test/kafka-mock/kafka-test-app';
import {
  PlatformProducer,
  casesByTicket,
  dispatchedTicket,
  eventStoreOf,
  freshTicketNo,
  wholeLog,
} from '../test/kafka-mock/kafka-fixtures';
import { TopicCollector } from '../test/kafka-mock/topic-collector';
import { DESK } from '../test/support/test-app';
import { formatCount, formatRate, perSecond, positiveNumberFromEnv } from './bench-support';

/**
 * Kafka throughput against librdkafka's mock cluster (test/kafka-mock), beside HTTP intake in
 * the same run and on the same data folder:
 *
 *   1. HTTP intake: autocannon POSTs hotline tickets for BENCH_SECONDS.
 *   2. Tickets in: BENCH_TICKETS tickets produced on gov12345.tickets, timed from the first
 *      message produced until the consumer has committed the last one.
 *   3. Events out: the relay (off until now) started on the whole log, timed until it has
 *      published up to the head.
 *
 * The service runs in this process (the benchmark's load generators share its two cores), so the
 * figures compare the three paths with one another rather than state the service's ceiling; the
 * intake benchmark measures HTTP on its own. Every ticket must make exactly one case and every case
 * event must be on cases.events, or the run fails: a benchmark that loses work measured nothing.
 *
 *   node dist/bench/kafka.bench.js      BENCH_SECONDS (default 10), BENCH_TICKETS (default 5000)
 */

const SECONDS = positiveNumberFromEnv('BENCH_SECONDS', 10);
const TICKETS = positiveNumberFromEnv('BENCH_TICKETS', 5000);
const CONNECTIONS = 32;
const PRODUCE_BATCH = 500;
const POLL_MS = 20;
const TIMEOUT_MS = 10 * 60_000;
const CASE_EVENTS = 'cases.events';

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function httpIntake(service: KafkaTestApp): Promise<{ perSecond: number; created: number }> {
  const server = await service.app.listen(0, '127.0.0.1');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const token = await service.t.tokenFor(DESK);
  const runId = Date.now().toString(36);
  let sent = 0;
  let created = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        method: 'POST',
        path: '/api/hotline-tickets',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        setupRequest: (request) => {
          sent += 1;
          const body = {
            platformTicketNo: `BENCH-HTTP-${runId}-${sent}`,
            title: '路灯不亮',
            description: '小寨路口路灯损坏',
            community: '小寨社区',
            urgency: 'normal',
          };
          return { ...request, body: JSON.stringify(body) };
        },
        onResponse: (status) => {
          if (status === 201) created += 1;
        },
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`HTTP intake: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { perSecond: perSecond(created, result.duration * 1000), created };
}

async function ticketsIn(service: KafkaTestApp, cluster: MockKafkaCluster): Promise<{ perSecond: number; tickets: string[] }> {
  const platform = await PlatformProducer.connect(cluster.brokers);
  const tickets = Array.from({ length: TICKETS }, () => freshTicketNo());
  const before = (await service.kafkaHealth()).tickets.casesCreated as number;
  const started = performance.now();
  for (let index = 0; index < tickets.length; index += PRODUCE_BATCH) {
    const batch = tickets.slice(index, index + PRODUCE_BATCH);
    await platform.send(
      'gov12345.tickets',
      batch.map((ticketNo) => ({ key: ticketNo, value: JSON.stringify(dispatchedTicket(ticketNo)) })),
    );
  }
  await until(
    () => service.kafkaHealth(),
    (health) => health.tickets.casesCreated - before >= TICKETS,
    'every ticket consumed',
  );
  const elapsedMs = performance.now() - started;
  await platform.disconnect();
  return { perSecond: perSecond(TICKETS, elapsedMs), tickets };
}

/** Rate between the first position the relay is seen past and the head, so the service's start is not counted. */
async function eventsOut(service: KafkaTestApp): Promise<{ perSecond: number; events: number; messages: number }> {
  let first: { at: number; position: number } | undefined;
  const health = await until(
    async () => {
      const report = await service.kafkaHealth();
      if (first === undefined && report.relay.position > 0) first = { at: performance.now(), position: report.relay.position };
      return report;
    },
    (report) => report.relay.state === 'running' && report.relay.lag === 0 && report.relay.position > 0,
    'the relay at the head',
  );
  const start = first as { at: number; position: number };
  const elapsedMs = performance.now() - start.at;
  return {
    perSecond: perSecond(health.relay.position - start.position, elapsedMs),
    events: health.relay.position,
    messages: health.relay.published,
  };
}

function caseEventIds(log: readonly RecordedEvent[]): string[] {
  return log
    .filter((event) => {
      const caseId = (event.metadata as { caseId?: unknown }).caseId;
      return typeof caseId === 'string' && event.streamId === `case-${caseId}`;
    })
    .map((event) => event.id);
}

async function main(): Promise<void> {
  const cluster = await MockKafkaCluster.start();
  let service: KafkaTestApp | undefined;
  try {
    // A production-length session: the load generators share this process's event loop with the
    // service, and a short session would expire under load (a rebalance, then redelivered tickets).
    service = await KafkaTestApp.start({
      brokers: cluster.bootstrap,
      env: { KAFKA_RELAY: 'false', KAFKA_SESSION_TIMEOUT_MS: '30000', LOG_LEVEL: 'silent' },
    });
    const dataDir = service.dataDir;
    await until(
      () => (service as KafkaTestApp).kafkaHealth(),
      (health) => health.tickets.state === 'running',
      'the ticket consumer in its group',
    );

    const http = await httpIntake(service);
    const consumed = await ticketsIn(service, cluster);
    const cases = await casesByTicket(eventStoreOf(service));
    const lost = consumed.tickets.filter((ticketNo) => cases.get(ticketNo)?.length !== 1);
    if (lost.length > 0) throw new Error(`${lost.length} tickets did not make exactly one case (the first: ${lost[0]})`);
    await service.stop(false);

    // The relay alone on the whole log: tickets off, so nothing else competes.
    service = await KafkaTestApp.start({
      brokers: cluster.bootstrap,
      dataDir,
      env: { KAFKA_CONSUME_TICKETS: 'false', LOG_LEVEL: 'silent' },
    });
    const relayed = await eventsOut(service);
    const expected = caseEventIds(await wholeLog(eventStoreOf(service)));
    const collector = await TopicCollector.start(cluster.brokers, [CASE_EVENTS]);
    const seen = await collector.waitFor(CASE_EVENTS, (messages) => messages.length >= expected.length, TIMEOUT_MS);
    const ids = new Set(seen.map((message) => message.headers['event-id']));
    await collector.stop();
    const missing = expected.filter((id) => !ids.has(id));
    if (missing.length > 0) throw new Error(`${missing.length} case events were not published`);

    console.log(
      `Kafka benchmark on librdkafka's mock cluster, service in-process, ${SECONDS} s of HTTP and ${formatCount(TICKETS)} tickets`,
    );
    console.log(
      `  HTTP intake, POST /api/hotline-tickets (${CONNECTIONS} connections): ${formatRate(http.perSecond)} cases (${formatCount(http.created)})`,
    );
    console.log(`  tickets in, gov12345.tickets to hotline cases, offsets committed: ${formatRate(consumed.perSecond)} tickets`);
    console.log(
      `  events out, global log to cases.events and gov12345.status: ${formatRate(relayed.perSecond)} log positions ` +
        `(${formatCount(relayed.events)} positions, ${formatCount(relayed.messages)} messages)`,
    );
    console.log(`  checked: every ticket made exactly one case; all ${formatCount(expected.length)} case events are on ${CASE_EVENTS}`);
  } finally {
    await service?.stop();
    await cluster.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
