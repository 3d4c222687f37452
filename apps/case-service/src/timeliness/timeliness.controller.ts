import { Roles } from '../auth/auth.decorators';
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Actor, TimelinessDimension } from '@cases/domain';
import { actorOf } from '../auth/auth.guard';
import { ApiProblems, BAD_REQUEST, LONG_WORK_BUSY, LONG_WORK_FAILED, positionBeyondLog } from '../http/openapi-responses';
import { RequestValidationError } from '../http/problem-details';
import { reportMonthProblem } from '../http/plausible-instants';
import { CLOCK, type Clock } from '../infrastructure/clock';
import { REPORT_FORMAT_MEDIA, REPORT_FORMATS } from '../reports/render';
import { MonthlyReportQueryDto, TimelinessQueryDto, WhatIfDto, parseInstant } from './timeliness-query.dto';
import { TimelinessService, type TimelinessRequest } from './timeliness.service';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

function toRequest(query: TimelinessQueryDto): TimelinessRequest {
  const from = parseInstant(query.from);
  const to = parseInstant(query.to);
  if (!(from.getTime() < to.getTime())) throw new RequestValidationError([{ field: 'to', message: 'to must be after from' }]);
  return {
    from,
    to,
    ...(query.groupBy ? { groupBy: query.groupBy as TimelinessDimension[] } : {}),
    ...(query.position !== undefined ? { position: BigInt(query.position) } : {}),
  };
}

/**
 * The unit a reader's figures are narrowed to: a handling unit's user reads its own figures and its
 * rank only (docs/security.md); the other roles read the whole desk's. A unit user bound to no unit
 * is charged with nothing, so reads nothing.
 */
function scopeOf(actor: Actor): string | undefined {
  return actor.role === 'unit' ? (actor.unit ?? '') : undefined;
}

@ApiTags('timeliness')
@Controller('api')
export class TimelinessController {
  constructor(
    private readonly timeliness: TimelinessService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('stats/timeliness')
  @ApiOperation({
    operationId: 'getTimelinessKpis',
    summary: 'Timeliness KPIs for [from, to), optionally grouped (docs/timeliness-rules.md)',
    description:
      "及时受理率, 按期答复率, 响应率, 按期办结率, 满意率, 解决率, 初次信访一次性化解率, 化解率: each { numerator, denominator, ratio }, ratio null when nothing counted. A milestone counts in the period its final deadline falls in, once decided at the judging instant `judgedAt`: the moment asked, or with `position` the recording time of the event at that log position, so the same position gives the same answer later. With groupBy=unit the desk's milestones (acceptance, call-back, re-examination) are grouped under the organisation's name. A `unit` user reads only what is charged to its own unit (its milestones, the call-backs, closes and mediation outcomes that judge its work), and the answer says so in `scope`.",
  })
  @ApiOkResponse({ description: '{ from, to, position, judgedAt, groups: [{ group, kpis }] }' })
  @ApiProblems(BAD_REQUEST, positionBeyondLog('position'), LONG_WORK_BUSY, LONG_WORK_FAILED)
  stats(@Query() query: TimelinessQueryDto, @Req() req: Request) {
    const unit = scopeOf(actorOf(req));
    return this.timeliness.kpis({ ...toRequest(query), ...(unit !== undefined && { unit }) });
  }

  @Post('stats/timeliness/what-if')
  // A replay of the whole log under another policy: long work, for those who set policy.
  @Roles('supervisor', 'admin')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'getTimelinessKpisWhatIf',
    summary: 'The KPIs under an alternative deadline policy',
    description:
      'Replays the event log with every deadline recomputed under the given policy and counts by the same rules, at the same judging instant, as the live KPIs; the live read models are not touched.',
  })
  @ApiOkResponse({ description: 'The same shape as GET /api/stats/timeliness' })
  @ApiProblems(
    { status: 400, description: 'Invalid request, or a policy POLICY_FILE would refuse: every bad field is named in `errors`' },
    positionBeyondLog('position'),
    LONG_WORK_BUSY,
    LONG_WORK_FAILED,
  )
  whatIf(@Body() body: WhatIfDto) {
    return this.timeliness.whatIf(toRequest(body), body.policy);
  }

  @Get('reports/monthly/:month')
  @ApiOperation({
    operationId: 'getMonthlyReport',
    summary: 'The monthly overdue / unsatisfied ticket report (月度超期/不满意工单通报, SPEC §5)',
    description:
      "Per handling unit: due, on time, late, open and overdue at month end, unsatisfied call-backs, on-time rate and rank; the desk's own row (the organisation's name) and 未派单 after the ranking; then every milestone open and overdue at month end and every unsatisfied call-back. JSON, CSV (UTF-8 with BOM), XLSX or a printable A4 page. Judged at `judgedAt`: the moment asked, or with `position` the recording time of the event at that log position, which reproduces the report exactly. A `unit` user reads its own row, its rank out of the ranked units (`scope: { unit, rank, rankedUnits }`) and its own overdue and unsatisfied rows; other units' rows and lists, the desk's row and 未派单 are withheld.",
  })
  @ApiParam({
    name: 'month',
    description: 'The month, YYYY-MM, from 2000-01 to the month under way',
    example: '2026-03',
    schema: { type: 'string', pattern: MONTH.source },
  })
  @ApiOkResponse({
    description: 'The report in the format asked for; csv and xlsx come as an attachment named monthly-report-YYYY-MM-at-POSITION',
    content: Object.fromEntries(
      REPORT_FORMATS.map((format) => [
        REPORT_FORMAT_MEDIA[format].contentType.split(';')[0],
        { schema: format === 'json' ? { type: 'object' } : { type: 'string', ...(format === 'xlsx' ? { format: 'binary' } : {}) } },
      ]),
    ),
  })
  @ApiProblems(BAD_REQUEST, positionBeyondLog('position'), LONG_WORK_BUSY, LONG_WORK_FAILED)
  async monthly(
    @Param('month') month: string,
    @Query() query: MonthlyReportQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    // From 2000-01 to the month under way: a month not begun has no report yet.
    const monthProblem = reportMonthProblem(month, this.clock.now());
    if (monthProblem) throw new RequestValidationError([{ field: 'month', message: monthProblem }]);
    const position = query.position === undefined ? undefined : BigInt(query.position);
    const { rendered } = await this.timeliness.renderedMonthlyReport(month, query.format ?? 'json', {
      position,
      unit: scopeOf(actorOf(req)),
    });
    res.setHeader('Content-Type', rendered.contentType);
    if (query.format && query.format !== 'json' && query.format !== 'html') {
      res.setHeader('Content-Disposition', `attachment; filename="${rendered.fileName}"`);
    }
    return Buffer.isBuffer(rendered.body) ? new StreamableFile(rendered.body, { type: rendered.contentType }) : rendered.body;
  }
}
