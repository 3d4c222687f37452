import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Freshness } from '@cases/read-models';
import { actorOf } from '../../auth/auth.guard';
import { CASE_ID_PIPE, RequestValidationError } from '../../http/problem-details';
import { PLAUSIBLE_RANGE, parseInstantParameter } from '../../http/plausible-instants';
import { ApiProblems, BAD_REQUEST, NOT_FOUND, READ_MODEL_BEHIND, positionBeyondLog } from '../../http/openapi-responses';
import type { PersonalDataAccessRequest } from '../../personal-data/personal-data-access.service';
import { GetCaseHistoryQuery, GetCaseQuery, ListCasesQuery } from '../queries/case-queries';
import { CommandRequestFactory } from './command-request.factory';
import { ListCasesQueryDto } from './dto';

const CASE_ID_PARAM = { name: 'id', format: 'uuid', description: 'Case id' };
/** Longest reason a reveal may give; it is stored in the access event. */
const MAX_REVEAL_REASON = 500;

const MIN_POSITION_QUERY = {
  name: 'minPosition',
  required: false,
  type: String,
  pattern: '^[0-9]{1,19}$',
  description:
    'A log position (decimal string), e.g. the `position` a command answered: the query first waits until the read model it reads has applied the log that far (503 after READ_YOUR_WRITES_TIMEOUT_MS; 422 for a position past the end of the log). Without it the query waits for the log’s head as it stands',
  example: '1042',
};

/** "At least this far": the read waits for its read model to reach the position a command answered. */
function freshness(minPosition: string | undefined): Freshness {
  if (minPosition === undefined) return {};
  if (!/^[0-9]{1,19}$/.test(minPosition)) {
    throw new RequestValidationError([{ field: 'minPosition', message: 'minPosition must be a log position: 1 to 19 digits' }]);
  }
  return { minPosition: BigInt(minPosition) };
}

@ApiTags('cases')
@Controller('api/cases')
export class CaseQueriesController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly requests: CommandRequestFactory,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listCases',
    summary: "List and filter cases (the desk's work queue)",
    description: 'Filters combine with AND; newest registration first; paged. Personal data never appears in the list.',
  })
  @ApiOkResponse({
    description: '{ items, total, page, pageSize }; an item with `needsAttention: true` has a parked event and may stop short of the log',
  })
  @ApiProblems(BAD_REQUEST, positionBeyondLog('minPosition'), READ_MODEL_BEHIND)
  list(@Query() query: ListCasesQueryDto, @Req() req: Request) {
    const { minPosition, ...filter } = query;
    return this.queryBus.execute(new ListCasesQuery(filter, actorOf(req), freshness(minPosition)));
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getCase',
    summary: 'The current view of a case',
    description:
      'Status, unit, deadlines judged now (pending/met/late/overdue), supervision orders, links and personal data. ETag is the stream revision. `asOf` gives the view as the service knew it at that instant (404 before the case existed).\n\n' +
      '`personal` holds the people of the case under `petitioner`, `caller` or `parties`: masked by default (张*, 138****1234, the last four of an ID number), each with its `personId`. ' +
      'A person whose data was destroyed shows `{ personId, destroyed: true, name: "（已销毁）" }`. ' +
      'A `unit` user never sees the petitioner (`{ withheld: true, name: "（保密）" }`) nor person ids. ' +
      '`reveal=personal` with a `reason` shows full values to desk, supervisor and admin (403 for a unit) and first appends a `PersonalDataRevealed` event (who, when, which fields, why) to the case, which the history shows; the ETag is then the revision after it (with `asOf`, the revision of that past view).',
  })
  @ApiParam(CASE_ID_PARAM)
  @ApiQuery({
    name: 'asOf',
    required: false,
    type: String,
    description: `An ISO-8601 date (midnight in Asia/Shanghai) or date-time with offset, ${PLAUSIBLE_RANGE}: the view as the service knew it then`,
    example: '2026-03-01T12:00:00+08:00',
  })
  @ApiQuery(MIN_POSITION_QUERY)
  @ApiQuery({
    name: 'reveal',
    required: false,
    enum: ['personal'],
    description: 'Show personal data in full (desk, supervisor, admin); the read is recorded on the case. Needs `reason`.',
  })
  @ApiQuery({
    name: 'reason',
    required: false,
    type: String,
    description: `Why the full values are needed (1–${MAX_REVEAL_REASON} characters), recorded in the access event; only with \`reveal\``,
    example: '回访核实联系方式',
  })
  @ApiOkResponse({
    description:
      'The view of the case; `needsAttention: true` when a read model parked one of its events and the view may stop short of the log',
    headers: {
      ETag: {
        description: 'The case stream revision the view reflects, in quotes ("3"); If-Match expects the current one',
        schema: { type: 'string' },
      },
    },
  })
  @ApiProblems(
    BAD_REQUEST,
    { status: 403, description: '`reveal=personal` by a role that may not see personal data in full' },
    NOT_FOUND,
    positionBeyondLog('minPosition'),
    READ_MODEL_BEHIND,
  )
  async view(
    @Param('id', CASE_ID_PIPE) id: string,
    @Query('asOf') asOf: string | undefined,
    @Query('minPosition') minPosition: string | undefined,
    @Query('reveal') reveal: string | undefined,
    @Query('reason') reason: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const instant = asOf === undefined ? undefined : parseInstantParameter(asOf, 'asOf');
    const access = this.personalDataAccess(req, reveal, reason);
    const { view, revision } = await this.queryBus.execute(new GetCaseQuery(id, access, instant, freshness(minPosition)));
    res.setHeader('ETag', `"${revision}"`);
    return view;
  }

  /** Who reads, and for a reveal its reason and the request ids its access event records. */
  private personalDataAccess(req: Request, reveal: string | undefined, reason: string | undefined): PersonalDataAccessRequest {
    const actor = actorOf(req);
    if (reveal === undefined) {
      if (reason !== undefined) throw new RequestValidationError([{ field: 'reason', message: 'reason goes with reveal=personal' }]);
      return { actor };
    }
    if (reveal !== 'personal') throw new RequestValidationError([{ field: 'reveal', message: "reveal must be 'personal'" }]);
    const why = reason?.trim() ?? '';
    if (why === '' || Array.from(why).length > MAX_REVEAL_REASON) {
      throw new RequestValidationError([
        { field: 'reason', message: `reveal=personal needs a reason of 1 to ${MAX_REVEAL_REASON} characters` },
      ]);
    }
    // A read carries no If-Match or Idempotency-Key for the access event: each reveal is its own record.
    const {
      actor: _actor,
      correlationId,
      causationId,
      requestHash,
    } = this.requests.create(req, 'reveal-personal-data', { reason: why }, undefined);
    return { actor, reveal: { reason: why, request: { actor, correlationId, causationId, requestHash } } };
  }

  @Get(':id/history')
  @ApiOperation({
    operationId: 'getCaseHistory',
    summary: 'Every event of a case, in order',
    description:
      'Type, actor (id, role, unit), occurredAt, recordedAt, command, reason, correlation and causation ids, data. Never personal data.',
  })
  @ApiParam(CASE_ID_PARAM)
  @ApiOkResponse({ description: '{ id, events }: the events, oldest first' })
  @ApiQuery(MIN_POSITION_QUERY)
  @ApiProblems(BAD_REQUEST, NOT_FOUND, positionBeyondLog('minPosition'), READ_MODEL_BEHIND)
  history(@Param('id', CASE_ID_PIPE) id: string, @Query('minPosition') minPosition: string | undefined, @Req() req: Request) {
    return this.queryBus.execute(new GetCaseHistoryQuery(id, actorOf(req), freshness(minPosition)));
  }
}
