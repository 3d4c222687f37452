import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, UnsupportedMediaTypeException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import stringify from 'safe-stable-stringify';
import { ROLES, type Actor, type Role } from '@cases/domain';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { CommandRequest } from '../commands/command-request';
import { RequestValidationError } from '../../http/problem-details';

const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/** Parses `If-Match: "12"` (or 12, or W/"12") into a stream revision. */
export function parseIfMatch(header: string | undefined): bigint | undefined {
  if (header === undefined || header === '') return undefined;
  const match = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(header);
  if (!match) throw new RequestValidationError([{ field: 'If-Match', message: 'expected a case revision such as "3"' }]);
  return BigInt(match[1]);
}

/**
 * A command's body must be JSON. Express parses only JSON bodies; anything else would reach the
 * command as "no body" and run it with defaults, so it is refused (415) before validation runs:
 * guards run before pipes.
 */
@Injectable()
export class JsonBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const hasBody = Number(request.header('content-length') ?? 0) > 0 || request.header('transfer-encoding') !== undefined;
    if (hasBody && !request.is('application/json')) {
      throw new UnsupportedMediaTypeException(`Command bodies must be application/json, not '${request.header('content-type') ?? 'none'}'`);
    }
    return true;
  }
}

/**
 * Turns the HTTP envelope of a command (who, which request, preconditions) into a
 * CommandRequest. The body itself is validated separately against the action's DTO.
 */
@Injectable()
export class CommandRequestFactory {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  create(request: Request, action: string, body: unknown, occurredAt: string | undefined): CommandRequest {
    const idempotencyKey = request.header('idempotency-key') || undefined;
    if (idempotencyKey !== undefined && (idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(idempotencyKey))) {
      throw new RequestValidationError([
        { field: 'Idempotency-Key', message: `expected 1–${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters` },
      ]);
    }
    return {
      actor: this.actor(request),
      correlationId: request.header('x-correlation-id') || randomUUID(),
      causationId: request.header('x-causation-id') || null,
      ...(idempotencyKey ? { idempotencyKey } : {}),
      requestHash: createHash('sha256')
        .update(`${action}\n${stringify(body ?? null)}`)
        .digest('hex'),
      ...(occurredAt ? { occurredAt: new Date(occurredAt).toISOString() } : {}),
      expectedRevision: parseIfMatch(request.header('if-match')),
    };
  }

  private actor(request: Request): Actor {
    if (!this.config.trustActorHeaders) return this.config.defaultActor;
    const id = request.header('x-actor-id');
    if (!id) return this.config.defaultActor;
    const role = request.header('x-actor-role') ?? 'desk';
    if (!(ROLES as readonly string[]).includes(role) || role === 'system') {
      throw new RequestValidationError([
        { field: 'X-Actor-Role', message: `expected one of ${ROLES.filter((r) => r !== 'system').join(', ')}` },
      ]);
    }
    const unit = request.header('x-actor-unit');
    return { id, role: role as Role, ...(unit ? { unit: decodeURIComponent(unit) } : {}) };
  }
}
