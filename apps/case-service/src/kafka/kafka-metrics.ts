import { Gauge, type Registry } from 'prom-client';
import type { KafkaHealthSource } from './kafka.service';

/**
 * Kafka's gauges on the service's `/metrics`, read from the same report as `GET /health/kafka` at
 * each scrape. Labels are topic names and partition numbers only.
 *
 * - `cases_kafka_consumer_lag_messages{topic,partition}`: messages the ticket consumer is behind
 *   the end of each partition it holds (as of its last fetch).
 * - `cases_kafka_relay_lag_events`: events in the log the relay has not published yet; reported by
 *   the instance holding the relay's lease only, so a sum over instances is the relay's lag.
 * - `cases_kafka_relay_running`: 1 in the instance holding the relay's lease while it publishes,
 *   0 while it is degraded (Kafka unreachable) or another instance holds the lease.
 * - `cases_kafka_tickets_dead_lettered`: tickets this instance sent to the dead-letter topic since it started.
 * - `cases_kafka_consumer_oldest_in_hand_seconds`: how long the ticket handler has held the message
 *   it has held longest (0 when it holds none); a value that keeps growing is a stuck or failing
 *   intake, worth an alert.
 */
export function registerKafkaMetrics(registry: Registry, source: KafkaHealthSource): void {
  // Every gauge of one scrape reads one report.
  let pending: ReturnType<KafkaHealthSource['health']> | undefined;
  const report = () => {
    pending ??= source.health().finally(() => setImmediate(() => (pending = undefined)));
    return pending;
  };
  new Gauge({
    name: 'cases_kafka_consumer_lag_messages',
    help: 'Messages the 12345 ticket consumer is behind the end of each partition it holds',
    labelNames: ['topic', 'partition'] as const,
    registers: [registry],
    async collect() {
      const { tickets } = await report();
      this.reset();
      if (tickets === undefined || !('partitions' in tickets)) return;
      for (const partition of tickets.partitions) {
        this.set({ topic: partition.topic, partition: String(partition.partition) }, Number(partition.lag));
      }
    },
  });
  new Gauge({
    name: 'cases_kafka_relay_lag_events',
    help: 'Events in the log the relay has not published yet (only in the instance holding the relay lease)',
    registers: [registry],
    async collect() {
      const { relay } = await report();
      this.reset();
      if (relay !== undefined && 'lag' in relay) this.set(Number(relay.lag));
    },
  });
  new Gauge({
    name: 'cases_kafka_relay_running',
    help: '1 while this instance holds the relay lease and publishes; 0 while degraded or on standby',
    registers: [registry],
    async collect() {
      const { relay } = await report();
      this.set(relay?.state === 'running' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'cases_kafka_tickets_dead_lettered',
    help: 'Tickets this instance sent to the dead-letter topic since it started',
    registers: [registry],
    async collect() {
      const { tickets } = await report();
      this.set(tickets !== undefined && 'deadLettered' in tickets ? tickets.deadLettered : 0);
    },
  });
  new Gauge({
    name: 'cases_kafka_consumer_oldest_in_hand_seconds',
    help: 'How long the 12345 ticket handler has held the message it has held longest (0 when it holds none)',
    registers: [registry],
    async collect() {
      const { tickets } = await report();
      const held = tickets !== undefined && 'inHand' in tickets ? tickets.inHand.map((message) => message.heldMs) : [];
      this.set(Math.max(0, ...held) / 1000);
    },
  });
}
