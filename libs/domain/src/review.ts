/**
 * Two-level review of membership applications (R4) and the work-queue rules behind it
 * (R18): who may decide which task, and what a decision must carry.
 */
import { isProvincialRole, type StaffRole } from './roles';

export const REVIEW_LEVELS = ['firstReview', 'secondReview'] as const;
export type ReviewLevel = (typeof REVIEW_LEVELS)[number];

export const REVIEW_OUTCOMES = ['approve', 'reject', 'return'] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];

export const REVIEW_LEVEL_LABELS: Record<ReviewLevel, string> = { firstReview: '初核', secondReview: '复核' };
export const REVIEW_OUTCOME_LABELS: Record<ReviewOutcome, string> = {
  approve: '通过',
  reject: '不予通过',
  return: '退回修改',
};

/** Task types of the staff work queue and the roles that decide them. */
export const TASK_TYPE_ROLES: Record<string, readonly StaffRole[]> = {
  firstReview: ['provincialReviewer', 'provincialAdmin'],
  secondReview: ['nationalReviewer', 'nationalAdmin'],
  onSiteCheck: ['provincialReviewer', 'provincialAdmin'],
};

export const TASK_TYPE_LABELS: Record<string, string> = {
  firstReview: '入会申请初核',
  secondReview: '入会申请复核',
  onSiteCheck: '现场核验',
};

/** The task types a staff role works on. */
export function taskTypesFor(role: StaffRole): string[] {
  return Object.entries(TASK_TYPE_ROLES)
    .filter(([, roles]) => roles.includes(role))
    .map(([type]) => type);
}

/**
 * Whether a staff member may see and act on a task: the role must decide its type, and a
 * provincial account only its own province's tasks (national tasks have no province).
 */
export function canHandleTask(
  staff: { role: StaffRole; provinceCode: string | null },
  task: { type: string; provinceCode: string | null },
): boolean {
  if (!(TASK_TYPE_ROLES[task.type] ?? []).includes(staff.role)) return false;
  return isProvincialRole(staff.role) ? task.provinceCode === staff.provinceCode : task.provinceCode === null;
}

/** A staff decision as the API records it and signals it to the waiting workflow. */
export interface ReviewDecision {
  readonly outcome: ReviewOutcome;
  /** Required when rejecting or returning: the applicant reads it. */
  readonly reason: string | null;
  readonly decidedBy: string;
  readonly decidedByLabel: string;
}

/** Chinese problems with a decision, empty when it is acceptable. */
export function decisionProblems(outcome: unknown, reason: unknown): string[] {
  if (!REVIEW_OUTCOMES.includes(outcome as ReviewOutcome)) return ['审核结论应为 通过、不予通过 或 退回修改'];
  if (outcome !== 'approve') {
    const text = typeof reason === 'string' ? reason.trim() : '';
    if (text.length < 2) return ['不予通过或退回修改时须填写原因（至少 2 个字），申请人将看到该原因'];
    if (text.length > 500) return ['原因不超过 500 字'];
  }
  return [];
}
