import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ProjectionRunner, type ParkedEvent, type ReplayOutcome } from '@cases/read-models';
import { Roles } from '../auth/auth.decorators';
import { BooleanField, UuidField } from '../cases/http/dto/field-decorators';
import { ApiProblems, BAD_REQUEST } from '../http/openapi-responses';
import { RequestValidationError } from '../http/problem-details';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class ParkedEventDto {
  @ApiProperty({ description: 'Global log position of the event, as a decimal string', example: '1042' })
  position: string;

  @ApiProperty({ description: 'The read model that parked it', example: 'case' })
  projection: string;

  @ApiProperty({ format: 'uuid' })
  caseId: string;

  @ApiProperty({ description: "The case's stream", example: 'case-7d0c3a52-9a55-4c7e-8f5e-2f6d1b0c9e11' })
  streamId: string;

  @ApiProperty({ description: 'Revision of the event in its case stream' })
  revision: number;

  @ApiProperty({ format: 'uuid', description: 'The event id' })
  eventId: string;

  @ApiProperty({ example: 'CaseDispatched' })
  type: string;

  @ApiProperty({
    enum: ['refused', 'held'],
    description:
      '`refused`: the read model could not decode, upcast or fold it; `held`: a later event of the case held back behind a refused one',
  })
  reason: string;

  @ApiProperty({ nullable: true, type: String, description: 'Why it was refused (or why the last replay failed); null for a held event' })
  error: string | null;

  @ApiProperty({ format: 'date-time' })
  parkedAt: string;

  @ApiProperty({ description: 'Replays tried and failed since it was parked' })
  replayAttempts: number;
}

export class ParkedEventsDto {
  @ApiProperty({ type: [ParkedEventDto], description: 'In log order' })
  events: ParkedEventDto[];
}

export class ReplayParkedEventsDto {
  @UuidField({ description: 'Replay this case', optional: true })
  readonly caseId?: string;

  @BooleanField({ description: 'Replay every parked case', optional: true })
  readonly all?: boolean;
}

export class ReplayOutcomeDto {
  @ApiProperty({ format: 'uuid' })
  caseId: string;

  @ApiProperty({ example: 'case' })
  projection: string;

  @ApiProperty({ enum: ['replayed', 'failed', 'none'], description: '`replayed`: current again; `failed`: still parked, with `error`' })
  outcome: string;

  @ApiProperty({ description: 'Parked events released (replayed) or still parked (failed)' })
  events: number;

  @ApiPropertyOptional()
  error?: string;
}

export class ReplayOutcomesDto {
  @ApiProperty({ type: [ReplayOutcomeDto] })
  outcomes: ReplayOutcomeDto[];
}

function presentParked(event: ParkedEvent): ParkedEventDto {
  return { ...event, position: event.position.toString(), revision: Number(event.revision) };
}

function presentOutcome(outcome: ReplayOutcome): ReplayOutcomeDto {
  return { ...outcome };
}

/**
 * Parked events over HTTP, the twin of `parked list` and `parked replay` (docs/architecture.md,
 * "Parked events"): what a read model could not apply, where and why, never the event's data.
 */
@ApiTags('operations')
@ApiBearerAuth()
@Roles('supervisor', 'admin')
@Controller('api/operations/parked-events')
export class ParkedEventsController {
  constructor(private readonly projections: ProjectionRunner) {}

  @Get()
  @ApiOperation({
    operationId: 'listParkedEvents',
    summary: 'Events a read model parked',
    description:
      'Each event a read model could not decode, upcast or fold (`refused`), and the later events of its case held back behind it (`held`): position, read model, case, revision, type, error. ' +
      'Their cases answer `needsAttention: true`; the other cases go on. /health/ready answers 503 while any is parked.',
  })
  @ApiQuery({ name: 'caseId', required: false, type: String, format: 'uuid', description: 'Only the events of this case' })
  @ApiOkResponse({ type: ParkedEventsDto })
  @ApiProblems(
    BAD_REQUEST,
    { status: 401, description: 'No valid access token' },
    { status: 403, description: 'Only a supervisor or an admin' },
  )
  async list(@Query('caseId') caseId?: string): Promise<ParkedEventsDto> {
    if (caseId !== undefined && !UUID.test(caseId))
      throw new RequestValidationError([{ field: 'caseId', message: 'caseId must be a UUID' }]);
    return { events: (await this.projections.parkedEvents(caseId === undefined ? {} : { caseId })).map(presentParked) };
  }

  @Post('replay')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'replayParkedEvents',
    summary: 'Replay parked events after a fix',
    description:
      "Re-applies each parked case's whole stream from the event log to the read models that parked it (`caseId`, or `all: true`), once the release that reads the refused event runs. " +
      'A case that applies is current again and its parked events are released; one that still refuses keeps them, with the new error.',
  })
  @ApiOkResponse({ type: ReplayOutcomesDto })
  @ApiProblems(
    BAD_REQUEST,
    { status: 401, description: 'No valid access token' },
    { status: 403, description: 'Only a supervisor or an admin' },
    { status: 415, description: 'The body is not application/json' },
  )
  async replay(@Body() body: ReplayParkedEventsDto): Promise<ReplayOutcomesDto> {
    if ((body.caseId === undefined) === (body.all !== true)) {
      throw new RequestValidationError([{ field: 'caseId', message: 'give either caseId or all: true' }]);
    }
    const outcomes = await this.projections.replayParked(body.caseId === undefined ? {} : { caseId: body.caseId });
    return { outcomes: outcomes.map(presentOutcome) };
  }
}
