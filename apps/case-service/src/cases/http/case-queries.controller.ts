import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CASE_ID_PIPE, RequestValidationError } from '../../http/problem-details';
import { ApiProblems, BAD_REQUEST, NOT_FOUND } from '../../http/openapi-responses';
import { GetCaseHistoryQuery, GetCaseQuery, ListCasesQuery } from '../queries/case-queries';
import { ListCasesQueryDto } from './dto';

@ApiTags('cases')
@Controller('api/cases')
export class CaseQueriesController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @ApiOperation({
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
    summary: 'The current view of a case',
    description:
      'Status, unit, deadlines judged now (pending/met/late/overdue), supervision orders, links and masked personal data. ETag is the stream revision. `asOf` gives the view as the service knew it at that instant (404 before the case existed).',
  })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO-8601 instant', example: '2026-03-01T12:00:00+08:00' })
  @ApiProblems(BAD_REQUEST, NOT_FOUND)
  async view(@Param('id', CASE_ID_PIPE) id: string, @Query('asOf') asOf: string | undefined, @Res({ passthrough: true }) res: Response) {
    let instant: Date | undefined;
    if (asOf !== undefined) {
      instant = new Date(asOf);
      if (!/^\d{4}-\d{2}-\d{2}/.test(asOf) || Number.isNaN(instant.getTime())) {
        throw new RequestValidationError([{ field: 'asOf', message: 'expected an ISO-8601 instant' }]);
      }
    }
    const { view, revision } = await this.queryBus.execute(new GetCaseQuery(id, instant));
    res.setHeader('ETag', `"${revision}"`);
    return view;
  }

  @Get(':id/history')
  @ApiOperation({
    summary: 'Every event of a case, in order',
    description:
      'Type, actor (id, role, unit), occurredAt, recordedAt, command, reason, correlation and causation ids, data. Never personal data.',
  })
  @ApiProblems(BAD_REQUEST, NOT_FOUND)
  history(@Param('id', CASE_ID_PIPE) id: string) {
    return this.queryBus.execute(new GetCaseHistoryQuery(id));
  }
}
