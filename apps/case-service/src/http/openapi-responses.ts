import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';

/** One problem with a request, named by its dotted path (`parties.0.name`); '' for the request as a whole. */
export class FieldErrorDto {
  @ApiProperty({ example: 'parties.0.name' })
  field: string;

  @ApiProperty({ example: 'name should not be empty' })
  message: string;
}

/** RFC 9457 problem details: every error of the API has this shape, plus members named by its code. */
export class ProblemDetailsDto {
  @ApiProperty({ description: 'URI naming the problem type', example: 'https://cases.example/problems/case-illegal-transition' })
  type: string;

  @ApiProperty({ example: 'Not allowed in this state' })
  title: string;

  @ApiProperty({ example: 409 })
  status: number;

  @ApiProperty({ example: "Command 'sign' is not allowed when the case is 'accepted'" })
  detail: string;

  @ApiProperty({ description: 'Stable code a client can switch on', example: 'CASE.ILLEGAL_TRANSITION' })
  code: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Every bad field, for a 400' })
  errors?: FieldErrorDto[];

  @ApiPropertyOptional({ description: 'For a 503: seconds to wait before trying again, as in the Retry-After header', example: 5 })
  retryAfterSeconds?: number;
}

const PROBLEM_CONTENT = { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDetailsDto) } } };

/** Documents the listed error statuses with the problem-details shape, and puts that shape in the document. */
export function ApiProblems(...statuses: ProblemResponse[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ...statuses.map(({ status, description, headers }) =>
      ApiResponse({ status, description, content: PROBLEM_CONTENT, ...(headers !== undefined && { headers }) }),
    ),
  );
}

/** One documented error status; `headers` when the answer carries some (Retry-After). */
export interface ProblemResponse {
  status: number;
  description: string;
  headers?: Record<string, { description: string; schema: { type: 'integer' | 'string' } }>;
}

export const BAD_REQUEST = { status: 400, description: 'Invalid request: every bad field is named in `errors`' };
export const NOT_FOUND = { status: 404, description: 'No such case' };
/** A position parameter (`position` of the figures, `minPosition` of a read) past the end of the log. */
export function positionBeyondLog(parameter: 'position' | 'minPosition'): ProblemResponse {
  return {
    status: 422,
    description: `\`${parameter}\` is beyond the end of the event log (code REQUEST.POSITION_BEYOND_LOG); \`head\` gives the last position`,
  };
}

const RETRY_AFTER_HEADER = { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' as const } } };

/** A read-your-writes wait that ran out (docs/architecture.md, "Read-your-writes"). */
export const READ_MODEL_BEHIND: ProblemResponse = {
  status: 503,
  description:
    'The read model did not reach the position waited for (the log head, or `minPosition`) within READ_YOUR_WRITES_TIMEOUT_MS; code READ_MODEL.BEHIND, try again after `Retry-After` seconds',
  headers: RETRY_AFTER_HEADER,
};

/**
 * Long work (a what-if, a report at a past position, an export) refused because one job runs and
 * LONG_WORK_QUEUE more wait (docs/statistics.md, "Long work").
 */
export const LONG_WORK_BUSY: ProblemResponse = {
  status: 503,
  description:
    'Busy: a long job (what-if, report at a past position, export) is running and the queue behind it (LONG_WORK_QUEUE) is full; code LONG_WORK.BUSY, try again after `Retry-After` seconds',
  headers: RETRY_AFTER_HEADER,
};

/** The long-work thread running the job died (its heap limit LONG_WORK_HEAP_MB, an uncaught error): the job is abandoned, the service carries on. */
export const LONG_WORK_FAILED: ProblemResponse = {
  status: 500,
  description:
    'The long job (what-if, report at a past position, export) failed on the long-work thread, e.g. past its heap limit (LONG_WORK_HEAP_MB); code LONG_WORK.FAILED. The service carries on and the job may be asked for again',
};
