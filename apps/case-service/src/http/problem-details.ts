import { STATUS_CODES } from 'node:http';
import { ParseUUIDPipe, ArgumentsHost, Catch, HttpException, Logger, NotFoundException, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ServiceError } from '@cases/domain';
import { isStoreOutage } from '@cases/event-store';

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

/**
 * How many field errors one answer lists, and how long a field path or message may be in it. A
 * body with thousands of unknown members (or one with a member name a megabyte long) gets a short
 * answer that says how many errors there were, not a list the size of the request.
 */
export const MAX_REPORTED_ERRORS = 20;
const MAX_ERROR_TEXT = 200;

function clip(text: string): string {
  return text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}…` : text;
}

/** A request the API refuses before any domain logic runs (bad body, bad header, bad query). */
export class RequestValidationError extends ServiceError {
  /** The errors reported: at most MAX_REPORTED_ERRORS of them. */
  readonly errors: FieldError[];
  /** How many errors there were in all. */
  readonly errorCount: number;

  /** `errorCount`: how many errors there were, when `errors` is already a capped list of them. */
  constructor(errors: FieldError[], errorCount = errors.length) {
    const reported = errors.slice(0, MAX_REPORTED_ERRORS).map((e) => ({ field: clip(e.field), message: clip(e.message) }));
    const more = Math.max(errors.length, errorCount) - reported.length;
    super(
      'REQUEST.INVALID',
      400,
      'Invalid request',
      `The request is invalid: ${reported.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ')}${
        more > 0 ? `; and ${more} more` : ''
      }`,
      { errors: reported, ...(more > 0 ? { errorCount: reported.length + more } : {}) },
    );
    this.errors = reported;
    this.errorCount = reported.length + more;
  }
}

const TYPE_BASE = 'https://cases.example/problems/';

const STORE_UNAVAILABLE = 'STORE.UNAVAILABLE';
/** How long a client is asked to wait after a 503 for an unreachable store: about what a failover or restart takes. */
const STORE_RETRY_AFTER_SECONDS = 5;

function problem(status: number, code: string, title: string, detail: string, extra: Record<string, unknown> = {}): ProblemDetails {
  // Extensions first: the standard members must never be overwritten by a detail of the same name.
  return { ...extra, type: `${TYPE_BASE}${code.toLowerCase().replace(/[._]/g, '-')}`, title, status, detail, code };
}

/**
 * Any error as problem details. Errors raised on purpose carry their code and status
 * (`ServiceError`); Nest's own HTTP exceptions (unparseable JSON, 415) keep theirs; so do the
 * client errors Express and its parsers raise (a path that does not decode), which carry a 4xx
 * `status` and `expose`; a store that cannot be reached is 503 `STORE.UNAVAILABLE`; anything else
 * is a bug and answers 500 without a word of its
 * internals.
 */
export function toProblem(error: unknown): ProblemDetails {
  if (error instanceof ServiceError) {
    return problem(error.status, error.code, error.title, error.message, error.details);
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const body = error.getResponse();
    const detail = typeof body === 'string' ? body : String((body as { message?: unknown }).message ?? error.message);
    return httpProblem(status, detail);
  }
  const status = exposedClientErrorStatus(error);
  if (status !== undefined) return httpProblem(status, (error as Error).message);
  if (isStoreOutage(error)) {
    return problem(
      503,
      STORE_UNAVAILABLE,
      'Store unavailable',
      'The event store cannot be reached; nothing was written. Try again shortly.',
      { retryAfterSeconds: STORE_RETRY_AFTER_SECONDS },
    );
  }
  return problem(500, 'INTERNAL', 'Internal server error', 'The server failed to handle the request; it has been logged.');
}

/** The problem for a bare HTTP status: `HTTP.<status>`, except a 400, which is an invalid request like any other. */
export function httpProblem(status: number, detail: string, extra: Record<string, unknown> = {}): ProblemDetails {
  if (status === 400) {
    // Nest's own 400s: a body that is not valid JSON, a path that does not decode.
    return problem(400, 'REQUEST.INVALID', 'Invalid request', clip(detail), { errors: [{ field: '', message: clip(detail) }] });
  }
  return problem(status, `HTTP.${status}`, STATUS_CODES[status] ?? 'Error', clip(detail), extra);
}

/** The http-errors convention (Express, body-parser): a 4xx with `expose: true` is meant for the client. */
function exposedClientErrorStatus(error: unknown): number | undefined {
  if (!(error instanceof Error)) return undefined;
  const { status, expose } = error as Error & { status?: unknown; expose?: unknown };
  return typeof status === 'number' && status >= 400 && status < 500 && expose === true ? status : undefined;
}

/** Case ids in paths are UUIDs; anything else is a 400 naming the field. */
export const CASE_ID_PIPE = new ParseUUIDPipe({
  exceptionFactory: () => new RequestValidationError([{ field: 'id', message: 'a case id is a UUID' }]),
});

/** Writes a problem as the response: the one way every layer (filter, middleware, server) answers an error. */
export function sendProblem(response: Response, body: ProblemDetails, headers: Record<string, string> = {}): void {
  response.status(body.status).set(headers).type('application/problem+json').send(JSON.stringify(body));
}

/**
 * A problem that tells when to come back (`retryAfterSeconds`: a store outage, a read model behind,
 * long work queued up) says it in the standard Retry-After header too.
 */
function retryAfter(body: ProblemDetails): Record<string, string> {
  const seconds = body['retryAfterSeconds'];
  return typeof seconds === 'number' ? { 'Retry-After': String(seconds) } : {};
}

export interface ProblemDetailsFilterOptions {
  /**
   * The methods the routes matching `path` answer, when any does: a request no route matched is
   * then a 405 with `Allow`, not a 404.
   */
  allowedMethods?: (path: string) => string[];
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(private readonly options: ProblemDetailsFilterOptions = {}) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request>();
    if (response.headersSent) return;
    const allowed = this.unmatchedRouteMethods(error, request);
    if (allowed.length > 0) {
      const detail = `${request.method} is not allowed on ${request.path}; it answers ${allowed.join(', ')}`;
      sendProblem(response, httpProblem(405, detail, { allowed }), { Allow: allowed.join(', ') });
      return;
    }
    const body = toProblem(error);
    if (body.code === STORE_UNAVAILABLE) {
      // An outage, not a bug: one line.
      this.logger.warn(`The store is unavailable: ${error instanceof Error ? error.message : String(error)}`);
    } else if (body.status >= 500 && !(error instanceof ServiceError)) {
      // A ServiceError is an answer, not a failure (a 503 while read models catch up): only the rest is logged.
      this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    }
    sendProblem(response, body, retryAfter(body));
  }

  /**
   * For Nest's "not found" on a path whose routes answer other methods only, those methods. (When
   * the request's own method is among them, a route did match and the 404 is that handler's.)
   */
  private unmatchedRouteMethods(error: unknown, request: Request | undefined): string[] {
    if (!(error instanceof NotFoundException) || !request || !this.options.allowedMethods) return [];
    const allowed = this.options.allowedMethods(request.path);
    return allowed.includes(request.method.toUpperCase()) ? [] : allowed;
  }
}
