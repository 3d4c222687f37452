import { randomUUID } from 'node:crypto';
import { MockKafkaCluster } from '../../../../test/kafka-mock/mock-cluster';
import { headerText, textHeader, type IncomingMessage, type MessageConsumer, type MessagingClient } from '../messaging.port';
import { KafkaJsMessagingClient } from './kafkajs-client';

/**
 * The port's promises, checked on kafkajs against librdkafka's mock cluster over TCP: order per
 * key, commit only after success, a failing message retried and never skipped, membership kept
 * through long work, and nothing committed when a consumer stops mid-retry.
 */

const TOPIC = 'port.test:2';
const TOPIC_NAME = 'port.test';
/** The mock's first join of a group takes 3 s; a shorter session times the join out. */
const SESSION_TIMEOUT_MS = 3500;
const STOP_GRACE_MS = 1000;

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

async function eventually(check: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('messaging port on kafkajs (librdkafka mock cluster)', () => {
  let cluster: MockKafkaCluster;
  let client: MessagingClient;
  const consumers: MessageConsumer[] = [];

  beforeAll(async () => {
    cluster = await MockKafkaCluster.start([TOPIC]);
    client = new KafkaJsMessagingClient({
      brokers: cluster.brokers,
      clientId: 'port-test',
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: 300,
      stopGraceMs: STOP_GRACE_MS,
    });
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  function consumer(
    groupId: string,
    handle: (message: IncomingMessage, attempt: number, signal: AbortSignal) => Promise<void>,
  ): MessageConsumer {
    const created = client.consumer({
      groupId,
      topics: [TOPIC_NAME],
      fromBeginning: true,
      retry: { initialMs: 50, maxMs: 200 },
      handle: (message, context) => handle(message, context.attempt, context.signal),
    });
    consumers.push(created);
    return created;
  }

  async function produce(key: string, values: string[]): Promise<void> {
    const producer = client.producer();
    await producer.send(
      values.map((value) => ({
        topic: TOPIC_NAME,
        key,
        value: Buffer.from(value),
        headers: [textHeader('run', key), textHeader('index', value)],
      })),
    );
    await producer.disconnect();
  }

  it('delivers bytes, key and headers, in order per key; a failing message is retried with back-off and never skipped', async () => {
    const key = randomUUID();
    const values = ['a', 'b', 'c', 'd'].map((letter) => `${key}:${letter}`);
    await produce(key, values);
    const seen: { value: string; attempt: number }[] = [];
    const handled: { value: string; partition: number; offset: string }[] = [];
    const group = `g-${randomUUID()}`;
    const started = consumer(group, async (message, attempt) => {
      if (headerText(message.headers, 'run') !== key) return;
      const value = message.value?.toString() ?? '';
      seen.push({ value, attempt });
      expect(message.key?.toString()).toBe(key);
      expect(headerText(message.headers, 'index')).toBe(value);
      if (value.endsWith(':b') && attempt < 3) throw new Error('store unavailable');
      handled.push({ value, partition: message.partition, offset: message.offset });
    });
    await started.start();
    await eventually(() => handled.length === values.length, 20_000, 'every message handled');
    expect(handled.map((entry) => entry.value)).toEqual(values);
    // b failed twice and came again each time before c was ever delivered.
    expect(seen.map((entry) => `${entry.value.slice(-1)}${entry.attempt}`)).toEqual(['a1', 'b1', 'b2', 'b3', 'c1', 'd1']);
    // The commit follows the handler's success, a round trip later: the status is waited for, not
    // read at the instant the last handler returned (which passed or failed by the broker's speed).
    const last = handled[handled.length - 1];
    expect(new Set(handled.map((entry) => entry.partition))).toEqual(new Set([last.partition]));
    const committed = (BigInt(last.offset) + 1n).toString();
    const progress = () => started.status().partitions.find((partition) => partition.partition === last.partition);
    await eventually(() => progress()?.committedOffset === committed, 20_000, 'the last offset committed');
    expect(progress()).toMatchObject({ topic: TOPIC_NAME, committedOffset: committed, lag: 0n });
  });

  it('commits only what succeeded: a consumer stopped while retrying leaves the message for the next one, which resumes there', async () => {
    const key = randomUUID();
    const values = ['1', '2', '3'].map((digit) => `${key}:${digit}`);
    await produce(key, values);
    const group = `g-${randomUUID()}`;
    const firstHandled: string[] = [];
    const failing = deferred();
    const first = consumer(group, async (message) => {
      if (headerText(message.headers, 'run') !== key) return;
      const value = message.value?.toString() ?? '';
      if (value.endsWith(':2')) {
        failing.resolve();
        throw new Error('store unavailable');
      }
      firstHandled.push(value);
    });
    await first.start();
    await failing.promise;
    await first.stop();
    expect(firstHandled).toEqual([values[0]]);

    const secondHandled: string[] = [];
    const second = consumer(group, async (message) => {
      if (headerText(message.headers, 'run') === key) secondHandled.push(message.value?.toString() ?? '');
    });
    await second.start();
    await eventually(() => secondHandled.length === 2, 20_000, 'the rest of the partition');
    expect(secondHandled).toEqual(values.slice(1));
  });

  it('keeps the group membership while a handler works longer than the session timeout', async () => {
    const key = randomUUID();
    await produce(key, [`${key}:slow`, `${key}:next`]);
    const group = `g-${randomUUID()}`;
    const deliveries: string[] = [];
    const slow = consumer(group, async (message) => {
      if (headerText(message.headers, 'run') !== key) return;
      const value = message.value?.toString() ?? '';
      deliveries.push(value);
      if (value.endsWith(':slow')) await new Promise((resolve) => setTimeout(resolve, SESSION_TIMEOUT_MS * 1.5));
    });
    await slow.start();
    await eventually(() => deliveries.length === 2, 30_000, 'both messages');
    // Expelled from the group, the member would have had the slow message delivered again.
    expect(deliveries).toEqual([`${key}:slow`, `${key}:next`]);
    expect(slow.status().state).toBe('running');
  });

  it('stops within its grace when a handler never ends, leaving that message uncommitted for the next member', async () => {
    const key = randomUUID();
    await produce(key, [`${key}:stuck`]);
    const group = `g-${randomUUID()}`;
    const inHandler = deferred();
    const stuck = consumer(group, async (message) => {
      if (headerText(message.headers, 'run') !== key) return;
      inHandler.resolve();
      // Ignores its signal and never returns, as a handler waiting on something that never comes.
      await new Promise<never>(() => undefined);
    });
    await stuck.start();
    await inHandler.promise;
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Readiness shows which message the handler holds, and for how long.
    const [held] = stuck.status().inHand;
    expect(held).toMatchObject({ topic: TOPIC_NAME, offset: expect.stringMatching(/^\d+$/), attempt: 1 });
    expect(held.heldMs).toBeGreaterThanOrEqual(50);
    const stopping = Date.now();
    await stuck.stop();
    // The grace, plus leaving the group (the fetch in flight and the broker's answers).
    expect(Date.now() - stopping).toBeLessThan(STOP_GRACE_MS + 5_000);
    expect(stuck.status()).toMatchObject({ state: 'stopped', inHand: [] });

    const delivered: string[] = [];
    const next = consumer(group, async (message) => {
      if (headerText(message.headers, 'run') === key) delivered.push(message.value?.toString() ?? '');
    });
    await next.start();
    await eventually(() => delivered.length === 1, 20_000, 'the stuck message delivered again');
    expect(delivered).toEqual([`${key}:stuck`]);
  });
});
