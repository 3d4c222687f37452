import { randomBytes } from 'node:crypto';
import { MockKafkaCluster } from './kafka-mock/mock-cluster';
import { KafkaTestApp } from './kafka-mock/kafka-test-app';
import { TopicCollector } from './kafka-mock/topic-collector';
import { eventStoreOf, eventually, freshTicketNo, wholeLog } from './kafka-mock/kafka-fixtures';
import { createPostgresTestDatabase, type PostgresTestDatabase } from './support/postgres-test-database';
import { hotlineBody } from './support/bodies';
import { DESK } from './support/test-app';

/**
 * Two instances on one PostgreSQL store, both with the relay on (docs/decisions/0011): one holds
 * the relay's lease and publishes, the other stands by; when the holder stops, the other takes
 * the relay over within seconds, from the checkpoint in the shared database, and publishes what
 * was recorded meanwhile without starting the log again from its beginning.
 */

const CASE_EVENTS = 'cases.events';

describe('Kafka relay: one instance publishes, another takes over', () => {
  let database: PostgresTestDatabase;
  let cluster: MockKafkaCluster;
  let collector: TopicCollector;
  const instances: KafkaTestApp[] = [];
  const shared = {
    CASES_MASTER_KEY: randomBytes(32).toString('base64'),
    CASES_JWT_SECRET: randomBytes(32).toString('base64'),
    KAFKA_PSEUDONYM_KEY: randomBytes(32).toString('base64'),
  };

  async function instance(): Promise<KafkaTestApp> {
    const started = await KafkaTestApp.start({
      brokers: cluster.bootstrap,
      env: { EVENT_STORE: 'postgres', DATABASE_URL: database.url, KAFKA_CONSUME_TICKETS: 'false', ...shared },
    });
    instances.push(started);
    return started;
  }

  const relayState = async (app: KafkaTestApp) => (await app.kafkaHealth()).relay.state;

  beforeAll(async () => {
    database = await createPostgresTestDatabase();
    cluster = await MockKafkaCluster.start();
    collector = await TopicCollector.start(cluster.brokers, [CASE_EVENTS]);
  });

  afterAll(async () => {
    for (const app of instances.splice(0)) await app.stop().catch(() => undefined);
    await collector?.stop();
    await cluster?.stop();
    await database?.drop();
  });

  it('runs the relay in one instance; when it stops, the other publishes from the shared checkpoint', async () => {
    const first = await instance();
    await eventually(
      () => relayState(first),
      (state) => state === 'running',
      10_000,
      'the first instance to take the relay',
    );
    const second = await instance();
    // The second stands by while the first holds the lease.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await relayState(second)).toBe('standby');
    expect((await second.kafkaHealth()).status).toBe('ok');

    const before = (await first.t.intake('hotline', hotlineBody({ platformTicketNo: freshTicketNo() }), { as: DESK })).body.id as string;
    await collector.waitFor(CASE_EVENTS, (messages) => messages.some((message) => message.key === before));
    const publishedBefore = collector.on(CASE_EVENTS).length;

    await first.stop();
    instances.splice(instances.indexOf(first), 1);
    const takenOverIn = Date.now();
    await eventually(
      () => relayState(second),
      (state) => state === 'running',
      10_000,
      'the second instance to take the relay over',
    );
    expect(Date.now() - takenOverIn).toBeLessThan(10_000);

    const after = (await second.t.intake('hotline', hotlineBody({ platformTicketNo: freshTicketNo() }), { as: DESK })).body.id as string;
    await collector.waitFor(CASE_EVENTS, (messages) => messages.some((message) => message.key === after));
    // From the checkpoint: the case published before the takeover is not published again.
    const beforeIds = new Set(
      (await wholeLog(eventStoreOf(second))).filter((event) => event.streamId === `case-${before}`).map((event) => event.id),
    );
    expect(
      collector
        .on(CASE_EVENTS)
        .slice(publishedBefore)
        .filter((message) => beforeIds.has(message.headers['event-id'])),
    ).toEqual([]);
  });
});
