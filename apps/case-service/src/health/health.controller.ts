import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { EVENT_STORE, type EventStore } from '@cases/event-store';
import { ProjectionRunner } from '@cases/read-models';
import { ApiProblems } from '../http/openapi-responses';
import { Public } from '../auth/auth.decorators';

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projections: ProjectionRunner,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'getHealth',
    summary: 'Liveness and readiness',
    description: "200 when the event store answers; 503 otherwise. Reports each read model's lag behind the log in events.",
  })
  @ApiOkResponse({
    description: "{ status: 'ok', store: { status: 'up', head }, readModels }: each read model's position and lag behind `head`",
  })
  @ApiResponse({ status: 503, description: "{ status: 'unavailable', store: { status: 'down', error } }: the event store does not answer" })
  // The check itself refuses nothing; the one client error is a body the JSON parser cannot read.
  @ApiProblems({ status: 400, description: 'The request carries a JSON body that does not parse' })
  async health(@Res({ passthrough: true }) res: Response) {
    try {
      await this.store.ping();
      const head = await this.store.headPosition();
      const lags = this.projections.status(head);
      return { status: 'ok', store: { status: 'up', head }, readModels: lags };
    } catch (error) {
      res.status(503);
      return { status: 'unavailable', store: { status: 'down', error: error instanceof Error ? error.message : String(error) } };
    }
  }
}
