import { ParseUUIDPipe, type Type, ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { ServiceError } from '@cases/domain';
import { validateBody } from '../cases/http/dto/validate-body';

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

/** A request the API refuses before any domain logic runs (bad body, bad header, bad query). */
export class RequestValidationError extends ServiceError {
  constructor(readonly errors: FieldError[]) {
    super(
      'REQUEST.INVALID',
      400,
      'Invalid request',
      `The request is invalid: ${errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ')}`,
      { errors },
    );
  }
}

const TYPE_BASE = 'https://cases.example/problems/';

function problem(status: number, code: string, title: string, detail: string, extra: Record<string, unknown> = {}): ProblemDetails {
  // Extensions first: the standard members must never be overwritten by a detail of the same name.
  return { ...extra, type: `${TYPE_BASE}${code.toLowerCase().replace(/[._]/g, '-')}`, title, status, detail, code };
}

/**
 * Any error as problem details. Errors raised on purpose carry their code and status
 * (`ServiceError`); Nest's own HTTP exceptions (unparseable JSON, 415) keep theirs; anything else is
 * a bug or an outage and answers 500 without a word of its internals.
 */
export function toProblem(error: unknown): ProblemDetails {
  if (error instanceof ServiceError) {
    return problem(error.status, error.code, error.title, error.message, error.details);
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
    // A ServiceError is an answer, not a failure (a 503 while read models catch up): only the rest is logged.
    if (body.status >= 500 && !(error instanceof ServiceError)) {
      this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    }
    response.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  }
}
