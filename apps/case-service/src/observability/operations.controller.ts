import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { HealthCheckService } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorators';
import { ApiProblems, BAD_REQUEST } from '../http/openapi-responses';
import { ServiceMetrics } from './metrics';
import { NotReadyError, ReadinessIndicators } from './readiness';

/**
 * What an orchestrator and a monitoring system ask. `GET /health` (HealthController) stays as it
 * was, a report of the store and every read model's lag that answers 200 while the store answers;
 * these two split it into the questions an orchestrator asks separately. All three answer without
 * a token, like /health: probes and scrapers do not sign in. None of them shows personal data.
 */
@ApiTags('operations')
@Public()
@Controller()
export class OperationsController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: ReadinessIndicators,
    @Inject(ServiceMetrics) private readonly metrics: ServiceMetrics,
  ) {}

  @Get('health/live')
  @ApiOperation({
    operationId: 'getLiveness',
    summary: 'Liveness: the process is serving',
    description: 'Answers 200 whenever the process can answer at all; restart the instance only when this fails.',
  })
  @ApiOkResponse({ description: '{ status: "ok" }' })
  @ApiProblems(BAD_REQUEST)
  live() {
    return this.health.check([]);
  }

  @Get('health/ready')
  @ApiOperation({
    operationId: 'getReadiness',
    summary: 'Readiness: the store answers and every read model is following the log',
    description:
      '200 when the event store answers and no read model is failing, trails the log by more than READINESS_MAX_LAG events (default 10000) or has parked events (a case whose view stops short of the log: `parked list`, `parked replay`); 503 problem details naming each check otherwise. Take the instance out of rotation while it fails.',
  })
  @ApiOkResponse({
    description:
      '{ status: "ok", info: { store, readModels, kafka }, details }: `kafka.state` is off, ok or degraded (Kafka unreachable), never down',
  })
  @ApiProblems(BAD_REQUEST, { status: 503, description: 'Not ready: `checks` gives each check and why it is down' })
  async ready() {
    try {
      return await this.health.check([() => this.readiness.store(), () => this.readiness.readModels(), () => this.readiness.kafka()]);
    } catch (error) {
      const details = (error as { getResponse?: () => unknown }).getResponse?.() as { details?: Record<string, unknown> } | undefined;
      if (details?.details) throw new NotReadyError(details.details);
      throw error;
    }
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'getMetrics',
    summary: 'Prometheus metrics',
    description:
      "Commands by command and outcome, HTTP latency by route, read-model lag, failures and parked events, the log head, the Kafka ticket consumer's lag per partition and the relay's lag, event-loop delay and the process metrics, in the Prometheus text format.",
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'The Prometheus text exposition format', schema: { type: 'string' } })
  @ApiProblems(BAD_REQUEST)
  async scrape(@Res({ passthrough: true }) res: Response): Promise<string> {
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}
