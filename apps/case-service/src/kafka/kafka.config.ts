import { ConfigError } from '../config/config-error';

/**
 * The Kafka side of the configuration (SPEC §8). Without `KAFKA_BROKERS` Kafka is off and
 * `loadKafkaConfig` answers null; a bad value stops the start naming the variable.
 */
export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  ssl: boolean;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  topics: {
    tickets: string;
    ticketsDeadLetter: string;
    status: string;
    caseEvents: string;
  };
  /** Consumer group of the ticket intake; every instance of one deployment shares it. */
  ticketsGroup: string;
  /** Consume `gov12345.tickets` (default true). */
  consumeTickets: boolean;
  /** Publish `cases.events` and `gov12345.status` from the log (default true). */
  relay: boolean;
  /**
   * Key of the pseudonymous references that stand in for people in published events, at least
   * 32 bytes. Unset: generated once into DATA_DIR (every instance of a deployment must then share
   * that folder, or be given the same key).
   */
  pseudonymKey?: Buffer;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** Longest a consumer's fetch waits on the broker for new messages. */
  fetchMaxWaitMs: number;
  /** Partitions of `gov12345.tickets` one instance handles at the same time (each in order). */
  ticketsConcurrency: number;
  /** Most events the relay publishes in one send. */
  relayBatchSize: number;
  /** Longest wait between retries of a failed ticket or relay batch (the first is 200 ms, then doubling). */
  retryBackoffMaxMs: number;
}

export const KAFKA_CONFIG = Symbol('KAFKA_CONFIG');

export const DEFAULT_TOPICS: KafkaConfig['topics'] = {
  tickets: 'gov12345.tickets',
  ticketsDeadLetter: 'gov12345.tickets.dlq',
  status: 'gov12345.status',
  caseEvents: 'cases.events',
};

type Env = Record<string, string | undefined>;

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;
const BROKER = /^[^\s,:]+:\d{1,5}$/;
const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
const MIN_PSEUDONYM_KEY_BYTES = 32;

function text(env: Env, name: string, fallback: string): string {
  const value = env[name]?.trim();
  return value ? value : fallback;
}

function topic(env: Env, name: string, fallback: string): string {
  const value = text(env, name, fallback);
  if (!TOPIC_NAME.test(value) || value === '.' || value === '..') {
    throw new ConfigError(name, `'${value}' is not a Kafka topic name (letters, digits, '.', '_', '-')`);
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `expected true or false, got '${env[name]}'`);
}

function integer(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new ConfigError(name, `expected an integer ≥ ${min}, got '${raw}'`);
  return value;
}

function pseudonymKey(env: Env): Buffer | undefined {
  const raw = env.KAFKA_PSEUDONYM_KEY?.trim();
  if (!raw) return undefined;
  const key = /^[0-9a-fA-F]+$/.test(raw) && raw.length % 2 === 0 ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length < MIN_PSEUDONYM_KEY_BYTES) {
    throw new ConfigError('KAFKA_PSEUDONYM_KEY', `expected at least ${MIN_PSEUDONYM_KEY_BYTES} bytes, hex or base64`);
  }
  return key;
}

function sasl(env: Env): KafkaConfig['sasl'] {
  const mechanism = env.KAFKA_SASL_MECHANISM?.trim().toLowerCase();
  if (!mechanism) return undefined;
  if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
    throw new ConfigError('KAFKA_SASL_MECHANISM', `expected one of ${SASL_MECHANISMS.join(', ')}, got '${mechanism}'`);
  }
  const username = env.KAFKA_SASL_USERNAME;
  const password = env.KAFKA_SASL_PASSWORD;
  if (!username) throw new ConfigError('KAFKA_SASL_USERNAME', `required with KAFKA_SASL_MECHANISM`);
  if (!password) throw new ConfigError('KAFKA_SASL_PASSWORD', `required with KAFKA_SASL_MECHANISM`);
  return { mechanism: mechanism as (typeof SASL_MECHANISMS)[number], username, password };
}

export function loadKafkaConfig(env: Env = process.env): KafkaConfig | null {
  const brokers = (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
  if (brokers.length === 0) return null;
  const bad = brokers.find((broker) => !BROKER.test(broker));
  if (bad !== undefined) throw new ConfigError('KAFKA_BROKERS', `expected host:port entries separated by commas, got '${bad}'`);
  const sessionTimeoutMs = integer(env, 'KAFKA_SESSION_TIMEOUT_MS', 30_000, 3000);
  const heartbeatIntervalMs = integer(env, 'KAFKA_HEARTBEAT_INTERVAL_MS', 3000, 100);
  if (heartbeatIntervalMs >= sessionTimeoutMs) {
    throw new ConfigError('KAFKA_HEARTBEAT_INTERVAL_MS', `must be shorter than KAFKA_SESSION_TIMEOUT_MS (${sessionTimeoutMs})`);
  }
  const saslConfig = sasl(env);
  const key = pseudonymKey(env);
  return {
    brokers,
    clientId: text(env, 'KAFKA_CLIENT_ID', 'case-service'),
    ssl: flag(env, 'KAFKA_SSL', false),
    ...(saslConfig ? { sasl: saslConfig } : {}),
    topics: {
      tickets: topic(env, 'KAFKA_TOPIC_TICKETS', DEFAULT_TOPICS.tickets),
      ticketsDeadLetter: topic(env, 'KAFKA_TOPIC_TICKETS_DLQ', DEFAULT_TOPICS.ticketsDeadLetter),
      status: topic(env, 'KAFKA_TOPIC_STATUS', DEFAULT_TOPICS.status),
      caseEvents: topic(env, 'KAFKA_TOPIC_CASE_EVENTS', DEFAULT_TOPICS.caseEvents),
    },
    ticketsGroup: text(env, 'KAFKA_TICKETS_GROUP', 'case-service.tickets'),
    consumeTickets: flag(env, 'KAFKA_CONSUME_TICKETS', true),
    relay: flag(env, 'KAFKA_RELAY', true),
    ...(key ? { pseudonymKey: key } : {}),
    sessionTimeoutMs,
    heartbeatIntervalMs,
    fetchMaxWaitMs: integer(env, 'KAFKA_FETCH_MAX_WAIT_MS', 1000, 1),
    ticketsConcurrency: integer(env, 'KAFKA_TICKETS_CONCURRENCY', 3, 1),
    relayBatchSize: integer(env, 'KAFKA_RELAY_BATCH_SIZE', 500, 1),
    retryBackoffMaxMs: integer(env, 'KAFKA_RETRY_BACKOFF_MAX_MS', 10_000, 200),
  };
}
