import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayUnique, IsArray, IsDefined, IsIn, IsISO8601, IsObject, IsOptional, Matches } from 'class-validator';
import { TIMELINESS_DIMENSIONS } from '@cases/domain';
import { REPORT_FORMATS } from '../reports/render';
import { PlausibleInstant } from '../cases/http/dto/field-decorators';
import { PLAUSIBLE_RANGE } from '../http/plausible-instants';

const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const INSTANT_MESSAGE = `a date (YYYY-MM-DD, midnight in Asia/Shanghai) or an ISO-8601 date-time with offset, ${PLAUSIBLE_RANGE}`;
const POSITION = /^\d{1,19}$/;

/** A date alone is midnight in Asia/Shanghai, the time zone every period of SPEC §4 is taken in. */
export function parseInstant(value: string): Date {
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00+08:00` : value);
}

const splitList = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.split(',').map((item) => item.trim()) : value);

export class TimelinessQueryDto {
  @ApiProperty({ description: `Start of the period, inclusive: ${INSTANT_MESSAGE}`, example: '2026-01-01', pattern: INSTANT.source })
  @PlausibleInstant()
  @Matches(INSTANT, { message: `from must be ${INSTANT_MESSAGE}` })
  @IsISO8601({ strict: true }, { message: 'from must be a date that exists' })
  // The bottom decorator is checked first: a missing value is reported as missing, not as a bad date.
  @IsDefined({ message: 'from is required' })
  from: string;

  @ApiProperty({ description: `End of the period, exclusive: ${INSTANT_MESSAGE}`, example: '2027-01-01', pattern: INSTANT.source })
  @PlausibleInstant()
  @Matches(INSTANT, { message: `to must be ${INSTANT_MESSAGE}` })
  @IsISO8601({ strict: true }, { message: 'to must be a date that exists' })
  @IsDefined({ message: 'to is required' })
  to: string;

  @ApiPropertyOptional({
    description: 'Group the KPIs by these dimensions; a comma-separated list (kind,unit) is accepted as well',
    enum: TIMELINESS_DIMENSIONS,
    isArray: true,
    uniqueItems: true,
    example: ['kind', 'unit'],
  })
  @IsOptional()
  @Transform(splitList)
  @IsArray()
  @ArrayUnique()
  @IsIn(TIMELINESS_DIMENSIONS, { each: true, message: `groupBy must list only ${TIMELINESS_DIMENSIONS.join(', ')}` })
  groupBy?: string[];

  @ApiPropertyOptional({
    description: 'Compute at this global log position instead of the latest, judged at the recording time of its event',
    example: '1200',
    pattern: POSITION.source,
  })
  @IsOptional()
  @Matches(POSITION, { message: 'position must be a non-negative integer' })
  position?: string;
}

export class WhatIfDto extends TimelinessQueryDto {
  @ApiProperty({
    description:
      'An alternative deadline policy, in the format of POLICY_FILE (config/deadline-policy.json holds the defaults); the log is replayed under it',
    type: Object,
  })
  @IsObject({ message: 'policy must be a deadline policy object' })
  policy: Record<string, unknown>;
}

export class MonthlyReportQueryDto {
  @ApiPropertyOptional({
    description: 'json, csv (UTF-8 with a byte order mark), xlsx, or html (a printable A4 page)',
    enum: REPORT_FORMATS,
    default: 'json',
  })
  @IsOptional()
  @IsIn(REPORT_FORMATS, { message: `format must be one of ${REPORT_FORMATS.join(', ')}` })
  format?: (typeof REPORT_FORMATS)[number];

  @ApiPropertyOptional({
    description: 'Reproduce the report as computed at this global log position, judged at the recording time of its event',
    example: '1200',
    pattern: POSITION.source,
  })
  @IsOptional()
  @Matches(POSITION, { message: 'position must be a non-negative integer' })
  position?: string;
}
