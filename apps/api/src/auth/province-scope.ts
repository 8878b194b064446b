import { canActInProvince } from '@app/domain/roles';
import { Errors } from '../common/app-exception';
import type { StaffPrincipal } from '../common/principal';

/**
 * The one place that keeps staff of one province away from another province's members.
 * Services call it with the province of the member they are about to read or change.
 */
export function assertProvinceAccess(staff: StaffPrincipal, provinceCode: string): void {
  if (!canActInProvince(staff, provinceCode)) throw Errors.otherProvince();
}

/**
 * The province a listing is restricted to: a provincial account sees only its own (asking
 * for another is refused, not silently narrowed); national staff may pick any or none.
 */
export function scopeProvinceFilter(staff: StaffPrincipal, requested?: string): string | undefined {
  if (staff.provinceCode === null) return requested;
  if (requested && requested !== staff.provinceCode) throw Errors.otherProvince();
  return staff.provinceCode;
}
