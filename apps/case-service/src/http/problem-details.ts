import {
  ParseUUIDPipe,
  type Type,
  ArgumentsHost,
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Response } from 'express';
import { ConfigValidationError, DomainError, type DomainErrorCode } from '@cases/domain';
import { validateBody } from '../cases/http/dto/validate-body';
import { ProjectionTimeoutError } from '@cases/read-models';
import { PositionBeyondLogError } from '../timeliness/timeliness-facts.source';
import {
  ConcurrencyRetriesExhaustedError,
  IdempotencyKeyReusedError,
  StaleRevisionError,
} from '../cases/commands/command-errors';

export interface FieldError {
  field: string;
  message: string;
}

/** RFC 9457 problem details: the one error shape of the API. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** A request the API refuses before any domain logic runs (bad body, bad header). */
export class RequestValidationError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(`The request is invalid: ${errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ')}`);
    this.name = 'RequestValidationError';
  }
}

const DOMAIN_STATUS: Record<DomainErrorCode, number> = {
  'CASE.ILLEGAL_TRANSITION': HttpStatus.CONFLICT,
  'CASE.INVALID_COMMAND': HttpStatus.UNPROCESSABLE_ENTITY,
  'CASE.FORBIDDEN': HttpStatus.FORBIDDEN,
  'CASE.NOT_FOUND': HttpStatus.NOT_FOUND,
};

const TYPE_BASE = 'https://cases.example/problems/';

function problem(status: number, code: string, title: string, detail: string, extra: Record<string, unknown> = {}): ProblemDetails {
  // Extensions first: the standard members must never be overwritten by a detail of the same name.
  return { ...extra, type: `${TYPE_BASE}${code.toLowerCase().replace(/[._]/g, '-')}`, title, status, detail, code };
}

export function toProblem(error: unknown): ProblemDetails {
  if (error instanceof RequestValidationError) {
    return problem(400, 'REQUEST.INVALID', 'Invalid request', error.message, { errors: error.errors });
  }
  if (error instanceof DomainError) {
    const status = DOMAIN_STATUS[error.code];
    return problem(status, error.code, HttpStatus[status].replace(/_/g, ' ').toLowerCase(), error.message, error.details);
  }
  if (error instanceof StaleRevisionError) {
    return problem(412, 'CASE.STALE_REVISION', 'Precondition failed', error.message, {
      expectedRevision: error.expected.toString(),
      currentRevision: error.actual === null ? null : error.actual.toString(),
    });
  }
  if (error instanceof IdempotencyKeyReusedError) {
    return problem(422, 'REQUEST.IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key reused', error.message);
  }
  if (error instanceof ConcurrencyRetriesExhaustedError) {
    return problem(409, 'CASE.CONCURRENT_UPDATE', 'Concurrent update', error.message);
  }
  if (error instanceof ProjectionTimeoutError) {
    return problem(503, 'READ_MODEL.BEHIND', 'Service unavailable', error.message);
  }
  if (error instanceof ConfigValidationError) {
    return problem(400, 'REQUEST.INVALID', 'Invalid request', error.message, {
      errors: error.issues.map((issue) => ({ field: issue.path, message: issue.message })),
    });
  }
  if (error instanceof PositionBeyondLogError) {
    return problem(422, 'REQUEST.POSITION_BEYOND_LOG', 'Position beyond the log', error.message, { head: error.head.toString() });
  }

  if (error instanceof HttpException) {
    const status = error.getStatus();
    const body = error.getResponse();
    const detail = typeof body === 'string' ? body : String((body as { message?: unknown }).message ?? error.message);
    if (status === 400) {
      // Nest's own 400s: a body that is not valid JSON, a path that does not decode.
      return problem(400, 'REQUEST.INVALID', 'Invalid request', detail, { errors: [{ field: '', message: detail }] });
    }
    return problem(status, `HTTP.${status}`, HttpStatus[status]?.replace(/_/g, ' ').toLowerCase() ?? 'error', detail);
  }
  return problem(500, 'INTERNAL', 'Internal server error', 'The server failed to handle the request; it has been logged.');
}

/** The validated DTO, or a 400 naming every bad field: how every controller reads its input. */
export function validated<T extends object>(cls: Type<T>, input: unknown): T {
  const result = validateBody(cls, input);
  if ('errors' in result) throw new RequestValidationError(result.errors);
  return result.value;
}

/** Case ids in paths are UUIDs; anything else is a 400 naming the field. */
export const CASE_ID_PIPE = new ParseUUIDPipe({
  exceptionFactory: () => new RequestValidationError([{ field: 'id', message: 'a case id is a UUID' }]),
});

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = toProblem(error);
    if (body.status >= 500 && !(error instanceof ProjectionTimeoutError)) {
      this.logger.error(error instanceof Error ? error.stack ?? error.message : String(error));
    }
    response.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  }
}
