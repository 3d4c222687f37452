import type { NextFunction, Request, Response } from 'express';
import { RequestValidationError, type FieldError } from './problem-details';
import { textProblem } from './text-rules';

/** No endpoint takes more; a longer query string is refused before any parameter is looked at. */
export const MAX_QUERY_PARAMETERS = 30;

/**
 * Checks the query string of every request as text before any route reads it: each parameter
 * given once, percent-encoding that decodes to UTF-8, and keys and values that are acceptable text
 * (`textProblem`). Which parameters an endpoint takes is `KnownQueryGuard`'s concern; what each
 * one must hold is the endpoint's DTO's.
 */
export function checkQueryText(request: Request, _response: Response, next: NextFunction): void {
  const url = request.originalUrl ?? request.url;
  const start = url.indexOf('?');
  const query = start < 0 ? '' : url.slice(start + 1);
  next(query === '' ? undefined : queryTextRefusal(query));
}

/** Why the raw query string is refused, or undefined. */
export function queryTextRefusal(query: string): RequestValidationError | undefined {
  const parts = query.split('&').filter((part) => part !== '');
  if (parts.length > MAX_QUERY_PARAMETERS) {
    return new RequestValidationError([{ field: '', message: `the query string holds more than ${MAX_QUERY_PARAMETERS} parameters` }]);
  }
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const part of parts) {
    const separator = part.indexOf('=');
    const rawKey = separator < 0 ? part : part.slice(0, separator);
    const rawValue = separator < 0 ? '' : part.slice(separator + 1);
    const key = decode(rawKey);
    const value = decode(rawValue);
    if (key === undefined || value === undefined) {
      errors.push({ field: key ?? '', message: 'the query string must be percent-encoded UTF-8' });
      continue;
    }
    const keyProblem = textProblem(key);
    if (keyProblem) {
      errors.push({ field: '', message: `a query parameter name ${keyProblem}` });
      continue;
    }
    if (seen.has(key)) errors.push({ field: key, message: `${key} must be given at most once` });
    seen.add(key);
    const valueProblem = textProblem(value);
    if (valueProblem) errors.push({ field: key, message: `${key} ${valueProblem}` });
  }
  return errors.length > 0 ? new RequestValidationError(errors) : undefined;
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}
