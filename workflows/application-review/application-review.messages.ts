/** Inputs, signals, queries and results of the applicationReview workflow (R3–R5). */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ReviewDecision, ReviewLevel } from '@app/domain/review';

export interface ApplicationReviewInput {
  readonly applicationId: string;
  readonly applicationNo: string;
  readonly provinceCode: string;
  readonly applicantName: string;
  /** How long a review task may wait before the queue's owners are reminded (TASK_REMINDER_AFTER). */
  readonly reminderAfterSeconds: number;
}

export type ApplicationStage = ReviewLevel | 'returned' | 'admitting' | 'approved' | 'rejected';

export interface ProgressStep {
  readonly at: string;
  readonly stage: ApplicationStage | 'submitted' | 'resubmitted';
  readonly outcome?: ReviewDecision['outcome'];
  readonly reason?: string | null;
}

export interface ApplicationProgress {
  readonly applicationNo: string;
  readonly stage: ApplicationStage;
  /** Open review task, if any. */
  readonly taskId: string | null;
  readonly round: number;
  readonly steps: readonly ProgressStep[];
  readonly certificateNo: string | null;
}

export interface ApplicationReviewResult {
  readonly outcome: 'approved' | 'rejected';
  readonly certificateNo: string | null;
}

/** Sent by the API once the applicant has corrected and resubmitted a returned application. */
export const resubmittedSignal = defineSignal('resubmitted');
export const progressQuery = defineQuery<ApplicationProgress>('progress');
