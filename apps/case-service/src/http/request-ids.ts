import type { NextFunction, Request, Response } from 'express';
import { RequestValidationError, type FieldError } from './problem-details';

/**
 * The headers that name a request rather than describe it. Each is copied into the metadata of
 * every event a command writes (and the correlation id into every log line), so each has one
 * format, checked on every route before anything else runs: a bad value is a 400, never stored.
 */
export const REQUEST_ID_HEADERS = ['X-Correlation-Id', 'X-Causation-Id', 'Idempotency-Key'] as const;
export type RequestIdHeader = (typeof REQUEST_ID_HEADERS)[number];

/**
 * A UUID, or a short token. A token may not hold a run of seven or more digits: that is what a
 * phone number (7-8 local digits, 11 for a mobile) or an ID number looks like, and an id is copied
 * into every event and log line of its request.
 */
export const REQUEST_ID_PATTERN =
  /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|(?!.*\d{7})[A-Za-z0-9._:-]{1,64})$/;

/** The rule as clients read it, in the OpenAPI header descriptions and in the 400 answer. */
export const REQUEST_ID_FORMAT =
  'a UUID, or a token of 1-64 characters from A-Z a-z 0-9 . _ : - with no run of seven or more digits (so that no phone or ID number can pass as an id)';

export function isRequestId(value: string): boolean {
  return REQUEST_ID_PATTERN.test(value);
}

export class InvalidRequestIdError extends Error {
  constructor(readonly header: RequestIdHeader) {
    super(`${header} must be ${REQUEST_ID_FORMAT}`);
  }
}

/**
 * The header's value when it is present and well formed, undefined when absent; throws
 * `InvalidRequestIdError` otherwise. An empty value and a repeated header (which Node joins with
 * ", ") are not ids.
 */
export function requestIdHeader(request: Pick<Request, 'headers'>, header: RequestIdHeader): string | undefined {
  const value = request.headers[header.toLowerCase()];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !isRequestId(value)) throw new InvalidRequestIdError(header);
  return value;
}

/** Refuses (400) any request that carries one of the id headers in another format, on every route. */
export function checkRequestIds(request: Request, _response: Response, next: NextFunction): void {
  const errors: FieldError[] = [];
  for (const header of REQUEST_ID_HEADERS) {
    try {
      requestIdHeader(request, header);
    } catch (error) {
      if (!(error instanceof InvalidRequestIdError)) throw error;
      errors.push({ field: header, message: `must be ${REQUEST_ID_FORMAT}` });
    }
  }
  next(errors.length > 0 ? new RequestValidationError(errors) : undefined);
}
