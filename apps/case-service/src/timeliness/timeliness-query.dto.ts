import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayUnique, IsArray, IsIn, IsISO8601, IsObject, IsOptional, Matches } from 'class-validator';
import { TIMELINESS_DIMENSIONS } from '@cases/domain';
import { REPORT_FORMATS } from '../reports/render';

const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const INSTANT_MESSAGE = 'a date (YYYY-MM-DD, midnight in Asia/Shanghai) or an ISO-8601 date-time with offset';
const POSITION = /^\d{1,19}$/;

/** A date alone is midnight in Asia/Shanghai, the time zone every period of SPEC §4 is taken in. */
export function parseInstant(value: string): Date {
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00+08:00` : value);
}

const splitList = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.split(',').map((item) => item.trim()) : value);

export class TimelinessQueryDto {
  @ApiProperty({ description: 'Start of the period, inclusive', example: '2026-01-01' })
  @Matches(INSTANT, { message: `from must be ${INSTANT_MESSAGE}` })
  @IsISO8601({ strict: true }, { message: 'from must be a date that exists' })
  from: string;

  @ApiProperty({ description: 'End of the period, exclusive', example: '2027-01-01' })
  @Matches(INSTANT, { message: `to must be ${INSTANT_MESSAGE}` })
  @IsISO8601({ strict: true }, { message: 'to must be a date that exists' })
  to: string;

  @ApiPropertyOptional({ description: 'Comma-separated dimensions: kind, unit, community', example: 'kind,unit' })
  @IsOptional()
  @Transform(splitList)
  @IsArray()
  @ArrayUnique()
  @IsIn(TIMELINESS_DIMENSIONS, { each: true, message: `groupBy must list only ${TIMELINESS_DIMENSIONS.join(', ')}` })
  groupBy?: string[];

  @ApiPropertyOptional({ description: 'Compute at this global log position instead of the latest', example: '1200' })
  @IsOptional()
  @Matches(POSITION, { message: 'position must be a non-negative integer' })
  position?: string;
}

export class WhatIfDto extends TimelinessQueryDto {
  @ApiProperty({
    description: 'An alternative deadline policy, in the format of POLICY_FILE (see README); the log is replayed under it',
    type: Object,
  })
  @IsObject({ message: 'policy must be a deadline policy object' })
  policy: Record<string, unknown>;
}

export class MonthlyReportQueryDto {
  @ApiPropertyOptional({ enum: REPORT_FORMATS, default: 'json' })
  @IsOptional()
  @IsIn(REPORT_FORMATS, { message: `format must be one of ${REPORT_FORMATS.join(', ')}` })
  format?: (typeof REPORT_FORMATS)[number];

  @ApiPropertyOptional({ description: 'Reproduce the report as computed at this global log position', example: '1200' })
  @IsOptional()
  @Matches(POSITION, { message: 'position must be a non-negative integer' })
  position?: string;
}
