import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { StaffRole } from '@app/domain/roles';
import type { Principal } from './principal';

export const IS_PUBLIC = 'isPublic';
export const STAFF_ROLES_KEY = 'staffRoles';
export const MEMBER_ONLY = 'memberOnly';
export const ALLOW_PENDING_PASSWORD = 'allowPendingPassword';

/** No session needed (log-in pages, public verification, health). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
/** Staff only; with roles, only those roles. */
export const StaffOnly = (...roles: StaffRole[]) => SetMetadata(STAFF_ROLES_KEY, roles);
export const MemberOnly = () => SetMetadata(MEMBER_ONLY, true);
/** Reachable by a member who still has to replace the initial password. */
export const AllowPendingPasswordChange = () => SetMetadata(ALLOW_PENDING_PASSWORD, true);

export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal | undefined =>
    ctx.switchToHttp().getRequest<{ principal?: Principal }>().principal,
);
