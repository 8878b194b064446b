/** Inputs, decisions, results and the progress query of `photoVerification` (R7, R10). Pure types plus one query. */
import { defineQuery } from '@temporalio/workflow';
import type { FallbackCause, PhotoRoute } from '@app/domain/claims';

export interface PhotoVerificationInput {
  readonly memberId: string;
  readonly certificateNo: string;
  readonly provinceCode: string;
  readonly memberName: string;
  /** n of `photo-<memberNo>-<n>`: the member's n-th photo verification. */
  readonly attempt: number;
  readonly route: PhotoRoute;
  /** The photo the member uploaded (comparison route), already checked and stored as `pending`. */
  readonly candidatePhotoId: string | null;
  /** PHOTO_COMPARISON_AVAILABLE when the claim started (R7c: before launch, uploads go to on-site review). */
  readonly comparisonAvailable: boolean;
  /** How long the comparison provider may take before the member is sent on site. */
  readonly comparisonTimeoutSeconds: number;
  /** How long the on-site task may wait before the institute is reminded (TASK_REMINDER_AFTER). */
  readonly reminderAfterSeconds: number;
}

/** What staff record on the on-site task, signalled through the DecisionInbox. */
export interface OnSiteDecision {
  readonly outcome: 'approve' | 'reject';
  /** Required when rejecting: the member reads it. */
  readonly reason: string | null;
  /** The verified photo (uploaded by staff, or the member's upload they checked); set when approving. */
  readonly photoId: string | null;
  readonly decidedBy: string;
  readonly decidedByLabel: string;
}

export interface ComparisonOutcome {
  readonly outcome: 'match' | 'noMatch' | 'noFace' | 'multipleFaces';
  /** Null when the upload had no single face to compare (noFace, multipleFaces). */
  readonly score: number | null;
  readonly threshold: number;
  readonly provider: string;
}

export interface PhotoVerificationResult {
  /** `refused`: the chosen route is not open to the member (e.g. exam photo before 2010). */
  readonly outcome: 'accepted' | 'rejected' | 'refused';
  /** The route that decided: `onSite` after a fallback. */
  readonly route: PhotoRoute;
  readonly photoId: string | null;
  /** Rejection or refusal reason (Chinese, for the member). */
  readonly reason: string | null;
  readonly fallback: FallbackCause | null;
}

export type PhotoStage = 'examPhoto' | 'comparing' | 'onSite' | 'accepted' | 'rejected' | 'refused' | 'cancelled';

export interface PhotoVerificationProgress {
  readonly attempt: number;
  readonly requestedRoute: PhotoRoute;
  readonly route: PhotoRoute;
  readonly stage: PhotoStage;
  readonly taskId: string | null;
  readonly fallback: FallbackCause | null;
  readonly comparison: ComparisonOutcome | null;
}

export const photoProgressQuery = defineQuery<PhotoVerificationProgress>('progress');

/** ApplicationFailure types raised by the photo activities for outcomes no retry can change. */
export const PHOTO_FAILURES = {
  notEligible: 'NotEligible',
  comparisonUnavailable: 'PhotoComparisonUnavailable',
  comparisonTimeout: 'PhotoComparisonTimeout',
  noReference: 'NoReferencePhoto',
} as const;
