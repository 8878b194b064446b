/** Staff roles (DESIGN.md, Trust). Provincial roles are bound to one province. */
export const STAFF_ROLES = ['provincialReviewer', 'provincialAdmin', 'nationalReviewer', 'nationalAdmin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const PROVINCIAL_ROLES: readonly StaffRole[] = ['provincialReviewer', 'provincialAdmin'];
export const NATIONAL_ROLES: readonly StaffRole[] = ['nationalReviewer', 'nationalAdmin'];

export function isProvincialRole(role: StaffRole): boolean {
  return PROVINCIAL_ROLES.includes(role);
}

/** Chinese labels shown in the console. */
export const STAFF_ROLE_LABELS: Record<StaffRole, string> = {
  provincialReviewer: '地方注协审核人员',
  provincialAdmin: '地方注协管理员',
  nationalReviewer: '中注协复核人员',
  nationalAdmin: '中注协注册部管理员',
};

/**
 * Who may act on a member of `provinceCode`: national staff anywhere, provincial staff
 * only in their own province. The single rule behind every province-scope check.
 */
export function canActInProvince(
  actor: { role: StaffRole; provinceCode: string | null },
  provinceCode: string,
): boolean {
  if (!isProvincialRole(actor.role)) return true;
  return actor.provinceCode === provinceCode;
}
