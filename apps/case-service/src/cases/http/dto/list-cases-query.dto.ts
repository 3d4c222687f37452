import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { CASE_KINDS, CASE_STATUSES, MILESTONES } from '@cases/domain';

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);
const toInteger = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);

/** Query string of GET /api/cases: every filter optional, all combined with AND. */
export class ListCasesQueryDto {
  @ApiPropertyOptional({ enum: CASE_KINDS })
  @IsOptional()
  @IsIn(CASE_KINDS, { message: `kind must be one of ${CASE_KINDS.join(', ')}` })
  kind?: string;

  @ApiPropertyOptional({ enum: CASE_STATUSES })
  @IsOptional()
  @IsIn(CASE_STATUSES, { message: `status must be one of ${CASE_STATUSES.join(', ')}` })
  status?: string;

  @ApiPropertyOptional({ description: 'Handling unit (承办单位)', example: '曲江社区' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  unit?: string;

  @ApiPropertyOptional({ description: 'Community (社区)', example: '曲江社区' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  community?: string;

  @ApiPropertyOptional({ description: 'true: some milestone is past its deadline and not reached', type: Boolean })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'overdue must be true or false' })
  overdue?: boolean;

  @ApiPropertyOptional({ enum: MILESTONES, description: 'Cases with this milestone pending; narrows overdue and dueWithinHours to it' })
  @IsOptional()
  @IsIn(MILESTONES, { message: `milestone must be one of ${MILESTONES.join(', ')}` })
  milestone?: string;

  @ApiPropertyOptional({ description: 'Some pending deadline falls due within this many hours', minimum: 1, maximum: 8760 })
  @IsOptional()
  @Transform(toInteger)
  @IsInt({ message: 'dueWithinHours must be an integer from 1 to 8760' })
  @Min(1)
  @Max(8760)
  dueWithinHours?: number;

  @ApiPropertyOptional({ description: 'Registered at or after (ISO-8601)', example: '2026-01-01T00:00:00+08:00' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO-8601 date or date-time' })
  from?: string;

  @ApiPropertyOptional({ description: 'Registered before (ISO-8601): the period is [from, to)', example: '2027-01-01T00:00:00+08:00' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO-8601 date or date-time' })
  to?: string;

  @ApiPropertyOptional({ description: 'Substring of the number, title, description or 12345 ticket number' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  text?: string;

  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Transform(toInteger)
  @IsInt({ message: 'page must be a positive integer' })
  @Min(1)
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Transform(toInteger)
  @IsInt({ message: 'pageSize must be an integer from 1 to 100' })
  @Min(1)
  @Max(100)
  pageSize?: number;
}
