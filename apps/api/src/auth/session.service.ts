import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '@app/config';
import type { Principal } from '../common/principal';

/** Signed, expiring session tokens (HS256), carried as an HttpOnly cookie or a Bearer header. */
@Injectable()
export class SessionService {
  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  issue(principal: Principal): string {
    return this.jwt.sign({ ...principal }, { expiresIn: this.config.session.ttlSeconds });
  }

  /** The principal of a valid token, or undefined for a missing, forged or expired one. */
  read(token: string | undefined): Principal | undefined {
    if (!token) return undefined;
    try {
      const { iat: _iat, exp: _exp, ...principal } = this.jwt.verify<Principal & { iat: number; exp: number }>(token);
      return principal;
    } catch {
      return undefined;
    }
  }

  cookieOptions() {
    return {
      path: '/',
      httpOnly: true,
      // Lax keeps the cookie off cross-site form posts, which is our CSRF defence for pages.
      sameSite: 'lax' as const,
      secure: this.config.api.publicBaseUrl.startsWith('https://'),
      maxAge: this.config.session.ttlSeconds,
    };
  }
}
