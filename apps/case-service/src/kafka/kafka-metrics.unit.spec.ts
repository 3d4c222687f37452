import { Registry } from 'prom-client';
import type { KafkaHealth } from './kafka.service';
import { registerKafkaMetrics } from './kafka-metrics';

function metricsOf(health: KafkaHealth): Promise<string> {
  const registry = new Registry();
  registerKafkaMetrics(registry, { health: async () => health });
  return registry.metrics();
}

const TICKETS = { state: 'running' as const, processed: 3, casesCreated: 2, deadLettered: 1 };
const ON_PARTITION_0 = { topic: 'gov12345.tickets', partition: 0, committedOffset: '7', highWatermark: '9', lag: 2n };

describe('Kafka metrics', () => {
  it('reports the message the ticket handler has held longest, in seconds, so a stuck intake can raise an alert', async () => {
    const text = await metricsOf({
      status: 'ok',
      tickets: {
        ...TICKETS,
        partitions: [ON_PARTITION_0],
        inHand: [
          { topic: 'gov12345.tickets', partition: 0, offset: '7', attempt: 4, heldMs: 90_000 },
          { topic: 'gov12345.tickets', partition: 1, offset: '12', attempt: 1, heldMs: 250 },
        ],
      },
    });
    expect(text).toMatch(/^cases_kafka_consumer_oldest_in_hand_seconds 90$/m);
    expect(text).toMatch(/^cases_kafka_consumer_lag_messages\{topic="gov12345\.tickets",partition="0"\} 2$/m);
    expect(text).toMatch(/^cases_kafka_tickets_dead_lettered 1$/m);
  });

  it('reports 0 held when the handler holds nothing, or Kafka is off', async () => {
    const idle = await metricsOf({ status: 'ok', tickets: { ...TICKETS, partitions: [ON_PARTITION_0], inHand: [] } });
    expect(idle).toMatch(/^cases_kafka_consumer_oldest_in_hand_seconds 0$/m);
    const off = await metricsOf({ status: 'off' });
    expect(off).toMatch(/^cases_kafka_consumer_oldest_in_hand_seconds 0$/m);
  });
});
