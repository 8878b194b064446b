import type { StaffRole } from '@app/domain/roles';

/** Who is calling, as carried in the session token. */
export type Principal = StaffPrincipal | MemberPrincipal;

export interface StaffPrincipal {
  readonly kind: 'staff';
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly role: StaffRole;
  /** Set for provincial roles only. */
  readonly provinceCode: string | null;
}

export interface MemberPrincipal {
  readonly kind: 'member';
  readonly id: string;
  readonly certificateNo: string;
  readonly name: string;
  readonly provinceCode: string;
  /** The initial password must be changed before anything else (R6). */
  readonly mustChangePassword: boolean;
}

export const SESSION_COOKIE = 'cicpa_session';
