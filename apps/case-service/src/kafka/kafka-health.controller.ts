import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../http/openapi-responses';
import { Public } from '../auth/auth.decorators';
import { KAFKA_HEALTH, type KafkaHealthSource } from './kafka.service';

/** bigint positions and lags as JSON numbers while exact, decimal strings past 2^53. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
  }
  return value;
}

@ApiTags('operations')
@Public()
@Controller('health/kafka')
export class KafkaHealthController {
  constructor(@Inject(KAFKA_HEALTH) private readonly kafka: KafkaHealthSource) {}

  @Get()
  @ApiOperation({
    operationId: 'getKafkaHealth',
    summary: 'Kafka readiness: the ticket consumer and the event relay',
    description:
      "Always 200: Kafka being unreachable does not stop the service taking commands. `status` is 'off' without KAFKA_BROKERS, " +
      "'ok', or 'degraded' while the ticket consumer is not in its group or the relay cannot publish. Reports the consumer's lag " +
      'per partition (messages behind the end of the partition at its last fetch), the messages its handler holds now ' +
      '(`inHand`: topic, partition, offset, attempt, and `heldMs` since first handed over: a long hold is a stuck or failing intake), ' +
      "and the relay's lag (events in the log not yet published).",
  })
  @ApiOkResponse({
    description:
      '{ status, tickets: { state, partitions: [{ topic, partition, lag }], inHand: [{ topic, partition, offset, attempt, heldMs }], processed, casesCreated, deadLettered }, relay: { state, position, lag, published } }',
  })
  // The check itself refuses nothing; the one client error is a body the JSON parser cannot read.
  @ApiProblems({ status: 400, description: 'The request carries a JSON body that does not parse' })
  async health() {
    return plain(await this.kafka.health());
  }
}
