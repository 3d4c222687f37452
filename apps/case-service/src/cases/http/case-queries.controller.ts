import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CASE_ID_PIPE } from '../../http/problem-details';
import { PLAUSIBLE_RANGE, parseInstantParameter } from '../../http/plausible-instants';
import { ApiProblems, BAD_REQUEST, NOT_FOUND } from '../../http/openapi-responses';
import { GetCaseHistoryQuery, GetCaseQuery, ListCasesQuery } from '../queries/case-queries';
import { ListCasesQueryDto } from './dto';

const CASE_ID_PARAM = { name: 'id', format: 'uuid', description: 'Case id' };

@ApiTags('cases')
@Controller('api/cases')
export class CaseQueriesController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @ApiOperation({
    operationId: 'listCases',
    summary: "List and filter cases (the desk's work queue)",
    description: 'Filters combine with AND; newest registration first; paged. Personal data never appears in the list.',
  })
  @ApiOkResponse({ description: '{ items, total, page, pageSize }' })
  @ApiProblems(BAD_REQUEST)
  list(@Query() query: ListCasesQueryDto) {
    return this.queryBus.execute(new ListCasesQuery(query));
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getCase',
    summary: 'The current view of a case',
    description:
      'Status, unit, deadlines judged now (pending/met/late/overdue), supervision orders, links and masked personal data. ETag is the stream revision. `asOf` gives the view as the service knew it at that instant (404 before the case existed).',
  })
  @ApiParam(CASE_ID_PARAM)
  @ApiQuery({
    name: 'asOf',
    required: false,
    type: String,
    description: `An ISO-8601 date (midnight in Asia/Shanghai) or date-time with offset, ${PLAUSIBLE_RANGE}: the view as the service knew it then`,
    example: '2026-03-01T12:00:00+08:00',
  })
  @ApiOkResponse({
    description: 'The view of the case',
    headers: {
      ETag: {
        description: 'The case stream revision the view reflects, in quotes ("3"); If-Match expects the current one',
        schema: { type: 'string' },
      },
    },
  })
  @ApiProblems(BAD_REQUEST, NOT_FOUND)
  async view(@Param('id', CASE_ID_PIPE) id: string, @Query('asOf') asOf: string | undefined, @Res({ passthrough: true }) res: Response) {
    const instant = asOf === undefined ? undefined : parseInstantParameter(asOf, 'asOf');
    const { view, revision } = await this.queryBus.execute(new GetCaseQuery(id, instant));
    res.setHeader('ETag', `"${revision}"`);
    return view;
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
  @ApiProblems(BAD_REQUEST, NOT_FOUND)
  history(@Param('id', CASE_ID_PIPE) id: string) {
    return this.queryBus.execute(new GetCaseHistoryQuery(id));
  }
}
