import { NestFactory } from '@nestjs/core';
import { InvalidArgumentError, type Command } from 'commander';
import { EVENT_STORE, type EventStore } from '@cases/event-store';
import type { MessagingClient } from '@cases/messaging';
import { AppModule } from '../app.module';
import { loadConfig, type AppConfig } from '../config/app-config';
import type { KafkaConfig } from '../kafka/kafka.config';
import { MESSAGING_CLIENT } from '../kafka/kafka.service';
import { PersonPseudonyms, pseudonymKey } from '../kafka/relay/person-pseudonyms';
import { republishCaseEvents } from '../kafka/relay/republish';
import { replayDeadLetters } from '../kafka/tickets/dead-letter-replay';
import { HOTLINE_TICKET_INTAKE, type HotlineTicketIntake } from '../kafka/tickets/hotline-ticket-intake';

const DEFAULT_TIMEOUT_S = 300;

function position(value: string): bigint {
  if (!/^\d{1,19}$/.test(value)) throw new InvalidArgumentError('expected a log position (a non-negative integer)');
  return BigInt(value);
}

function seconds(value: string): number {
  if (!/^\d{1,6}$/.test(value) || Number(value) === 0) throw new InvalidArgumentError('expected a whole number of seconds, at least 1');
  return Number(value);
}

/**
 * The service's modules with Kafka's client and ticket intake, but neither the consumer nor the
 * relay running (the running service does that) and no deadline scheduler.
 */
async function withKafka<T>(work: (kafka: KafkaConfig, config: AppConfig, get: <V>(token: symbol) => V) => Promise<T>): Promise<T> {
  const loaded = loadConfig();
  if (loaded.kafka === null) throw new InvalidArgumentError('KAFKA_BROKERS is not set: Kafka is off');
  const kafka: KafkaConfig = { ...loaded.kafka, consumeTickets: false, relay: false };
  const config: AppConfig = { ...loaded, kafka, schedulerIntervalMs: 0 };
  const context = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    return await work(kafka, config, <V>(token: symbol) => context.get<symbol, V>(token, { strict: false }));
  } finally {
    await context.close();
  }
}

/** `kafka replay-dlq` and `kafka republish` (README, "Kafka"). */
export function registerKafkaCommands(program: Command): void {
  const kafka = program
    .command('kafka')
    .description('Kafka operations: the dead-letter topic and re-publishing case events (KAFKA_* settings as the service)');

  kafka
    .command('replay-dlq')
    .description(
      'Feed every message of the dead-letter topic (KAFKA_TOPIC_TICKETS_DLQ) back through the ticket intake, after a fix. ' +
        'Reads the whole topic as it stands at the start, with a consumer group of its own; what applies now is applied ' +
        '(what was applied before writes nothing again); what still cannot apply stays on the topic and is listed by where it first ' +
        'arrived, with the reason. Exit code 1 when anything still fails. Safe while the service runs.',
    )
    .option('--timeout <seconds>', 'give up after this long', seconds, DEFAULT_TIMEOUT_S)
    .action(async (options: { timeout: number }) => {
      await withKafka(async (config, _app, get) => {
        const result = await replayDeadLetters({
          client: get<MessagingClient>(MESSAGING_CLIENT),
          intake: get<HotlineTicketIntake>(HOTLINE_TICKET_INTAKE),
          deadLetterTopic: config.topics.ticketsDeadLetter,
          groupId: `${config.ticketsGroup}.dlq-replay.${Date.now()}`,
          timeoutMs: options.timeout * 1000,
          retry: { initialMs: 200, maxMs: config.retryBackoffMaxMs },
        });
        console.log(
          `${result.read} dead-lettered messages read: ${result.applied} applied (${result.casesCreated} new cases), ${result.stillFailing.length} still failing` +
            (result.notReached > 0 ? `, ${result.notReached} not reached before the timeout` : ''),
        );
        for (const failing of result.stillFailing)
          console.error(`still failing: ${failing.original}: ${failing.reason}: ${failing.detail}`);
        if (result.stillFailing.length > 0 || result.notReached > 0) process.exitCode = 1;
      });
    });

  kafka
    .command('republish')
    .description(
      'Publish the case events of the log again, from a log position to the head as it stands at the start, to KAFKA_TOPIC_CASE_EVENTS, ' +
        "exactly as the relay did (consumers drop the event ids they have seen). Leaves the relay's checkpoint alone; safe while the service runs.",
    )
    .requiredOption('--from <position>', 'the first log position to publish again (GET /health/kafka shows the relay position)', position)
    .option('--with-status', "also send the platform's ticket statuses (KAFKA_TOPIC_STATUS) again")
    .option('--timeout <seconds>', 'give up after this long', seconds, DEFAULT_TIMEOUT_S)
    .action(async (options: { from: bigint; withStatus?: boolean; timeout: number }) => {
      await withKafka(async (config, app, get) => {
        const producer = get<MessagingClient>(MESSAGING_CLIENT).producer();
        const result = await republishCaseEvents({
          store: get<EventStore>(EVENT_STORE),
          producer,
          pseudonyms: new PersonPseudonyms(pseudonymKey(config.pseudonymKey, app.dataDir)),
          topics: { caseEvents: config.topics.caseEvents, status: options.withStatus ? config.topics.status : null },
          from: options.from,
          batchSize: config.relayBatchSize,
          retry: { initialMs: 200, maxMs: config.retryBackoffMaxMs },
          timeoutMs: options.timeout * 1000,
        });
        console.log(`Published positions ${result.from} to ${result.upTo} again: ${result.messages} messages`);
      });
    });
}
