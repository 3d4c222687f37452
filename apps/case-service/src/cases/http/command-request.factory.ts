import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import stringify from 'safe-stable-stringify';
import { actorOf } from '../../auth/auth.guard';
import type { CommandRequest } from '../commands/command-request';
import { RequestValidationError } from '../../http/problem-details';
import { InvalidRequestIdError, REQUEST_ID_FORMAT, requestIdHeader, type RequestIdHeader } from '../../http/request-ids';

/** Parses `If-Match: "12"` (or 12, or W/"12") into a stream revision. */
export function parseIfMatch(header: string | undefined): bigint | undefined {
  if (header === undefined || header === '') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,19})"?\s*$/.exec(header);
  if (!match) throw new RequestValidationError([{ field: 'If-Match', message: 'expected a case revision such as "3"' }]);
  return BigInt(match[1]);
}

/**
 * Turns the HTTP envelope of a command (who, which request, preconditions) into a
 * CommandRequest. The body itself is validated separately against the action's DTO.
 */
@Injectable()
export class CommandRequestFactory {
  create(request: Request, action: string, body: unknown, occurredAt: string | undefined): CommandRequest {
    const idempotencyKey = idHeader(request, 'Idempotency-Key');
    return {
      actor: actorOf(request),
      // The id the request's log lines carry (pino-http's, taken from a valid X-Correlation-Id).
      correlationId: idHeader(request, 'X-Correlation-Id') ?? requestLogId(request) ?? randomUUID(),
      causationId: idHeader(request, 'X-Causation-Id') ?? null,
      ...(idempotencyKey ? { idempotencyKey } : {}),
      requestHash: createHash('sha256')
        .update(`${action}\n${stringify(body ?? null)}`)
        .digest('hex'),
      ...(occurredAt ? { occurredAt: new Date(occurredAt).toISOString() } : {}),
      expectedRevision: parseIfMatch(request.header('if-match')),
    };
  }
}

/** A request-id header, checked again here: nothing from a header reaches an event unless it has the format. */
function idHeader(request: Request, header: RequestIdHeader): string | undefined {
  try {
    return requestIdHeader(request, header);
  } catch (error) {
    if (!(error instanceof InvalidRequestIdError)) throw error;
    throw new RequestValidationError([{ field: header, message: `must be ${REQUEST_ID_FORMAT}` }]);
  }
}

function requestLogId(request: Request): string | undefined {
  const id = (request as Request & { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}
