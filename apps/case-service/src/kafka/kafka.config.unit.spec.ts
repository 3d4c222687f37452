import { ConfigError } from '../config/app-config';
import { loadKafkaConfig } from './kafka.config';

describe('Kafka configuration', () => {
  it('is off without KAFKA_BROKERS, or with only blanks in it', () => {
    expect(loadKafkaConfig({})).toBeNull();
    expect(loadKafkaConfig({ KAFKA_BROKERS: ' , ' })).toBeNull();
  });

  it('takes the SPEC §8 topic names and safe defaults when only the brokers are given', () => {
    expect(loadKafkaConfig({ KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092' })).toEqual({
      brokers: ['kafka-1:9092', 'kafka-2:9092'],
      clientId: 'case-service',
      ssl: false,
      topics: {
        tickets: 'gov12345.tickets',
        ticketsDeadLetter: 'gov12345.tickets.dlq',
        status: 'gov12345.status',
        caseEvents: 'cases.events',
      },
      ticketsGroup: 'case-service.tickets',
      consumeTickets: true,
      relay: true,
      sessionTimeoutMs: 30_000,
      heartbeatIntervalMs: 3000,
      fetchMaxWaitMs: 1000,
      ticketsConcurrency: 3,
      relayBatchSize: 500,
      retryBackoffMaxMs: 10_000,
    });
  });

  it('reads every setting', () => {
    const key = 'ab'.repeat(32);
    const config = loadKafkaConfig({
      KAFKA_BROKERS: 'b:9093',
      KAFKA_CLIENT_ID: 'cases-dayanta',
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'cases',
      KAFKA_SASL_PASSWORD: 'secret',
      KAFKA_TOPIC_TICKETS: 'xa.gov12345.tickets',
      KAFKA_TOPIC_TICKETS_DLQ: 'xa.gov12345.tickets.dlq',
      KAFKA_TOPIC_STATUS: 'xa.gov12345.status',
      KAFKA_TOPIC_CASE_EVENTS: 'xa.cases.events',
      KAFKA_TICKETS_GROUP: 'cases-dayanta.tickets',
      KAFKA_CONSUME_TICKETS: 'false',
      KAFKA_RELAY: '0',
      KAFKA_PSEUDONYM_KEY: key,
      KAFKA_SESSION_TIMEOUT_MS: '10000',
      KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
      KAFKA_FETCH_MAX_WAIT_MS: '200',
      KAFKA_TICKETS_CONCURRENCY: '6',
      KAFKA_RELAY_BATCH_SIZE: '100',
      KAFKA_RETRY_BACKOFF_MAX_MS: '5000',
    });
    expect(config).toEqual({
      brokers: ['b:9093'],
      clientId: 'cases-dayanta',
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'cases', password: 'secret' },
      topics: {
        tickets: 'xa.gov12345.tickets',
        ticketsDeadLetter: 'xa.gov12345.tickets.dlq',
        status: 'xa.gov12345.status',
        caseEvents: 'xa.cases.events',
      },
      ticketsGroup: 'cases-dayanta.tickets',
      consumeTickets: false,
      relay: false,
      pseudonymKey: Buffer.from(key, 'hex'),
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 1000,
      fetchMaxWaitMs: 200,
      ticketsConcurrency: 6,
      relayBatchSize: 100,
      retryBackoffMaxMs: 5000,
    });
  });

  it.each([
    [{ KAFKA_BROKERS: 'kafka-1' }, 'KAFKA_BROKERS'],
    [{ KAFKA_BROKERS: 'b:9092', KAFKA_TOPIC_TICKETS: 'tickets with spaces' }, 'KAFKA_TOPIC_TICKETS'],
    [{ KAFKA_BROKERS: 'b:9092', KAFKA_SSL: 'yes' }, 'KAFKA_SSL'],
    [{ KAFKA_BROKERS: 'b:9092', KAFKA_SASL_MECHANISM: 'gssapi' }, 'KAFKA_SASL_MECHANISM'],
    [{ KAFKA_BROKERS: 'b:9092', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' }, 'KAFKA_SASL_PASSWORD'],
    [{ KAFKA_BROKERS: 'b:9092', KAFKA_PSEUDONYM_KEY: 'c2hvcnQ=' }, 'KAFKA_PSEUDONYM_KEY'],
    [{ KAFKA_BROKERS: 'b:9092', KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_HEARTBEAT_INTERVAL_MS: '6000' }, 'KAFKA_HEARTBEAT_INTERVAL_MS'],
    [{ KAFKA_BROKERS: 'b:9092', KAFKA_RELAY_BATCH_SIZE: '0' }, 'KAFKA_RELAY_BATCH_SIZE'],
  ])('refuses %j naming %s', (env, variable) => {
    expect(() => loadKafkaConfig(env)).toThrow(ConfigError);
    expect(() => loadKafkaConfig(env)).toThrow(variable);
  });
});
