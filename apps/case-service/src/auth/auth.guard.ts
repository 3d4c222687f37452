import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Actor, UserRole } from '@cases/domain';
import type { Request } from 'express';
import { PUBLIC_ROUTE, REQUIRED_ROLES } from './auth.decorators';
import { AuthService, ForbiddenRoleError, UnauthenticatedError } from './auth.service';

/** The request's signed-in actor, set by the AuthGuard. */
export type AuthenticatedRequest = Request & { actor?: Actor };

/** Reads the signed-in actor of a request the AuthGuard let through. */
export function actorOf(request: Request): Actor {
  const actor = (request as AuthenticatedRequest).actor;
  if (actor === undefined) throw new UnauthenticatedError();
  return actor;
}

/**
 * Every route needs a valid access token unless marked @Public(); a route marked @Roles(...)
 * further needs one of those roles. Case commands check roles against the lifecycle rules in the
 * domain, with the actor this guard establishes.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const match = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(request.header('authorization') ?? '');
    if (match === null) throw new UnauthenticatedError();
    request.actor = await this.auth.actorFor(match[1]);
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(REQUIRED_ROLES, targets);
    if (roles !== undefined && !(roles as string[]).includes(request.actor.role)) throw new ForbiddenRoleError(roles);
    return true;
  }
}
