import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { EVENT_STORE, type EventStore } from '@cases/event-store';
import { ProjectionRunner } from '@cases/read-models';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projections: ProjectionRunner,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Liveness and readiness',
    description: '200 when the event store answers; 503 otherwise. Reports each read model\'s lag behind the log in events.',
  })
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
