import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { TimelinessDimension } from '@cases/domain';
import { RequestValidationError, validated } from '../http/problem-details';
import { MonthlyReportQueryDto, TimelinessQueryDto, WhatIfDto, parseInstant } from './timeliness-query.dto';
import { TimelinessService, type TimelinessRequest } from './timeliness.service';

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

@ApiTags('timeliness')
@Controller('api')
export class TimelinessController {
  constructor(private readonly timeliness: TimelinessService) {}

  @Get('stats/timeliness')
  @ApiOperation({
    summary: 'Timeliness KPIs (SPEC §4) for [from, to), optionally grouped',
    description:
      '及时受理率, 按期答复率, 响应率, 按期办结率, 满意率, 解决率, 初次信访一次性化解率, 化解率: each { numerator, denominator, ratio }, ratio null when nothing counted. States the log position it was computed at; `position` recomputes at an earlier one.',
  })
  @ApiOkResponse({ description: '{ from, to, position, groups: [{ group, kpis }] }' })
  stats(@Query() query: Record<string, unknown>) {
    return this.timeliness.kpis(toRequest(validated(TimelinessQueryDto, query)));
  }

  @Post('stats/timeliness/what-if')
  @HttpCode(200)
  @ApiOperation({
    summary: 'The KPIs under an alternative deadline policy',
    description: 'Replays the event log with every deadline recomputed under the given policy; the live read models are not touched.',
  })
  @ApiBody({ type: WhatIfDto })
  whatIf(@Body() body: unknown) {
    const dto = validated(WhatIfDto, body);
    return this.timeliness.whatIf(toRequest(dto), dto.policy);
  }

  @Get('reports/monthly/:month')
  @ApiOperation({
    summary: 'The monthly overdue / unsatisfied ticket report (月度超期/不满意工单通报, SPEC §5)',
    description:
      'Per handling unit: due, on time, late, open and overdue at month end, unsatisfied call-backs, on-time rate and rank; then every overdue milestone and every unsatisfied call-back. JSON, CSV (UTF-8 with BOM), XLSX or a printable A4 page. `position` reproduces a report exactly.',
  })
  @ApiParam({ name: 'month', example: '2026-03' })
  async monthly(@Param('month') month: string, @Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) {
      throw new RequestValidationError([{ field: 'month', message: 'expected YYYY-MM' }]);
    }
    const dto = validated(MonthlyReportQueryDto, query);
    const report = await this.timeliness.monthlyReport(month, dto.position === undefined ? undefined : BigInt(dto.position));
    const rendered = await this.timeliness.render(report, dto.format ?? 'json');
    res.setHeader('Content-Type', rendered.contentType);
    if (dto.format && dto.format !== 'json' && dto.format !== 'html') {
      res.setHeader('Content-Disposition', `attachment; filename="${rendered.fileName}"`);
    }
    return Buffer.isBuffer(rendered.body) ? new StreamableFile(rendered.body, { type: rendered.contentType }) : rendered.body;
  }
}
