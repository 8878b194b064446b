/** Inputs, signals, queries and results of `certificateClaim` (R6–R8, R17). Pure types plus message definitions. */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ClaimStage, FallbackCause, PhotoRoute } from '@app/domain/claims';

export interface CertificateClaimInput {
  readonly memberId: string;
  readonly certificateNo: string;
  readonly provinceCode: string;
  readonly memberName: string;
  readonly route: PhotoRoute;
  /** The member's upload for the comparison route, stored `pending` by the API. */
  readonly candidatePhotoId: string | null;
  readonly comparisonAvailable: boolean;
  readonly comparisonTimeoutSeconds: number;
  readonly reminderAfterSeconds: number;
}

export interface ClaimProgress {
  readonly certificateNo: string;
  readonly stage: ClaimStage;
  readonly route: PhotoRoute;
  /** `photo-<memberNo>-<n>` of the current or last photo verification. */
  readonly photoWorkflowId: string | null;
  readonly certificateVersion: number | null;
  readonly reason: string | null;
  readonly fallback: FallbackCause | null;
}

export interface CertificateClaimResult {
  readonly stage: Extract<ClaimStage, 'issued' | 'photoRejected' | 'refused' | 'cancelled'>;
  readonly certificateVersion: number | null;
  readonly reason: string | null;
}

/** Sent by the API after it has stored the member's confirmed personal data (R8). */
export const dataConfirmedSignal = defineSignal('dataConfirmed');
/** Sent by the API when the member withdraws the claim; ignored once issuance has started. */
export const cancelClaimSignal = defineSignal('cancelClaim');
export const claimProgressQuery = defineQuery<ClaimProgress>('progress');
