import { SetMetadata } from '@nestjs/common';
import type { UserRole } from '@cases/domain';

export const PUBLIC_ROUTE = 'auth:public';
export const REQUIRED_ROLES = 'auth:roles';

/** Answers without a token: sign-in, health, the API description. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Only these roles may call the route (docs/security.md, the permission matrix). */
export const Roles = (...roles: UserRole[]) => SetMetadata(REQUIRED_ROLES, roles);
