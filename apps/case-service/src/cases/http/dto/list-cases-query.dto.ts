import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { CASE_KINDS, CASE_STATUSES, MILESTONES } from '@cases/domain';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '@cases/read-models';
import { QueryInstantField, QueryIntegerField } from './field-decorators';

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);
/**
 * The last page one may ask for: at MAX_PAGE_SIZE cases a page, ten million cases. Past it the
 * offset would only make the read model skip rows for nothing.
 */
export const MAX_PAGE = 100_000;

/** Query string of GET /api/cases: every filter optional, all combined with AND. */
export class ListCasesQueryDto {
  @ApiPropertyOptional({ enum: CASE_KINDS, description: 'Kind of case' })
  @IsOptional()
  @IsIn(CASE_KINDS, { message: `kind must be one of ${CASE_KINDS.join(', ')}` })
  kind?: string;

  @ApiPropertyOptional({ enum: CASE_STATUSES, description: 'Current status' })
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

  @QueryIntegerField({ optional: true, description: 'Some pending deadline falls due within this many hours', min: 1, max: 8760 })
  dueWithinHours?: number;

  @QueryInstantField({ optional: true, description: 'Registered at or after', example: '2026-01-01T00:00:00+08:00' })
  from?: string;

  @QueryInstantField({ optional: true, description: 'Registered before: the period is [from, to)', example: '2027-01-01T00:00:00+08:00' })
  to?: string;

  @ApiPropertyOptional({ description: 'Substring of the number, title, description or 12345 ticket number' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  text?: string;

  @QueryIntegerField({ optional: true, description: 'Page number, from 1', min: 1, max: MAX_PAGE, default: 1 })
  page?: number;

  @QueryIntegerField({ optional: true, description: 'Cases per page', min: 1, max: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  pageSize?: number;

  @ApiPropertyOptional({
    description:
      'A log position (decimal string), e.g. the `position` a command answered: the query first waits until the read model it reads has applied the log that far (503 after READ_YOUR_WRITES_TIMEOUT_MS)',
    pattern: '^[0-9]{1,19}$',
    example: '1042',
  })
  @IsOptional()
  @Matches(/^[0-9]{1,19}$/, { message: 'minPosition must be a log position: 1 to 19 digits' })
  minPosition?: string;
}
