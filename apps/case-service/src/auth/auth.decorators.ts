import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { USER_ROLES, type UserRole } from '@cases/domain';

export const PUBLIC_ROUTE = 'auth:public';
export const REQUIRED_ROLES = 'auth:roles';

/**
 * The roles that may call an operation, as the OpenAPI document states them (`x-roles`): the
 * permission matrix of docs/security.md is rendered from it, and a test sends every operation as
 * every role to hold the two equal. `public` means no token is needed.
 */
export const ROLES_EXTENSION = 'x-roles';

/** Answers without a token: sign-in, health, the API description. */
export const Public = () => applyDecorators(SetMetadata(PUBLIC_ROUTE, true), ApiExtension(ROLES_EXTENSION, ['public']));

/** Only these roles may call the route. A route without it is open to every signed-in role. */
export const Roles = (...roles: UserRole[]) => applyDecorators(SetMetadata(REQUIRED_ROLES, roles), ApiExtension(ROLES_EXTENSION, roles));

/** Documents a route open to every signed-in role whose answer the domain may still narrow (case commands: LIFECYCLE_RULES). */
export const AnyRole = (roles: readonly UserRole[] = USER_ROLES) => ApiExtension(ROLES_EXTENSION, [...roles]);
