import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { StaffRole } from '@app/domain/roles';
import { ALLOW_PENDING_PASSWORD, IS_PUBLIC, MEMBER_ONLY, STAFF_ROLES_KEY } from '../common/decorators';
import { Errors } from '../common/app-exception';
import { SESSION_COOKIE, type Principal } from '../common/principal';
import { SessionService } from './session.service';

type Request = FastifyRequest & { principal?: Principal; cookies: Record<string, string | undefined> };

/**
 * Global guard: every route needs a session unless marked @Public(); @StaffOnly and
 * @MemberOnly narrow it; a member with an initial password reaches only the password change.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const targets = [context.getHandler(), context.getClass()];
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7) : request.cookies?.[SESSION_COOKIE];
    request.principal = this.sessions.read(token);

    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const principal = request.principal;
    if (!principal) throw Errors.unauthenticated();

    const roles = this.reflector.getAllAndOverride<StaffRole[] | undefined>(STAFF_ROLES_KEY, targets);
    if (roles) {
      if (principal.kind !== 'staff') throw Errors.forbidden('此功能仅供协会工作人员使用。');
      if (roles.length && !roles.includes(principal.role)) throw Errors.forbidden();
    }
    if (this.reflector.getAllAndOverride<boolean>(MEMBER_ONLY, targets) && principal.kind !== 'member') {
      throw Errors.forbidden('此功能仅供会员本人使用。');
    }
    if (
      principal.kind === 'member' &&
      principal.mustChangePassword &&
      !this.reflector.getAllAndOverride<boolean>(ALLOW_PENDING_PASSWORD, targets)
    ) {
      throw Errors.passwordChangeRequired();
    }
    return true;
  }
}
