/**
 * Inputs, outputs and the progress query of `certificateIssuance` (R1, R9, R17). Shared by the workflow, its
 * activities and the API that starts it; pure types plus one query definition.
 */
import { defineQuery } from '@temporalio/workflow';

/** Why a new version is issued (certificates.reason). */
export type IssuanceReason = 'firstIssue' | 'reissue' | 'dataChange' | 'transfer';

export const ISSUANCE_REASON_LABELS: Record<IssuanceReason, string> = {
  firstIssue: '首次签发',
  reissue: '年检后换发',
  dataChange: '信息变更',
  transfer: '转会',
};

/** Who asked for the version: a staff account, the member, or a system process (a campaign). */
export interface IssuanceRequester {
  readonly actorType: 'staff' | 'member' | 'system';
  readonly actorId: string | null;
  readonly actorLabel: string;
}

export interface CertificateIssuanceInput {
  readonly certificateNo: string;
  /** Chosen by the starter (the next version number); also part of the workflow id. */
  readonly version: number;
  readonly reason: IssuanceReason;
  readonly requestedBy: IssuanceRequester;
}

/** The member data printed on a version, frozen when the version is created (certificates.snapshot). */
export interface CertificateSnapshot {
  readonly certificateNo: string;
  readonly version: number;
  readonly name: string;
  readonly gender: 'male' | 'female';
  readonly provinceCode: string;
  readonly instituteName: string;
  /** YYYY-MM-DD */
  readonly joinedOn: string;
  readonly approvalDocNo: string;
  readonly latestInspection: { readonly year: number; readonly passedOn: string } | null;
  readonly photoBlobKey: string;
  /** YYYY-MM-DD in Beijing time. */
  readonly issuedOn: string;
}

export interface ActivationResult {
  /** `active`, or `superseded` when a newer version was activated first (versions finishing out of order). */
  readonly status: 'active' | 'superseded' | 'revoked';
  /** The version this one replaced, if any. */
  readonly supersededVersion: number | null;
}

export interface CertificateIssuanceResult {
  readonly certificateNo: string;
  readonly version: number;
  readonly status: ActivationResult['status'];
  readonly supersededVersion: number | null;
  readonly pdfSha256: string;
}

export type IssuanceStage = 'snapshot' | 'fontCheck' | 'render' | 'activate' | 'notify' | 'done' | 'refused';

export const ISSUANCE_STAGE_LABELS: Record<IssuanceStage, string> = {
  snapshot: '读取会员信息',
  fontCheck: '检查证书用字',
  render: '生成并签章',
  activate: '启用新版本',
  notify: '通知会员',
  done: '已完成',
  refused: '已拒绝签发',
};

export interface CertificateIssuanceProgress {
  readonly certificateNo: string;
  readonly version: number;
  readonly stage: IssuanceStage;
  readonly stageLabel: string;
  readonly pdfSha256: string | null;
}

export const progressQuery = defineQuery<CertificateIssuanceProgress>('progress');

/** ApplicationFailure types the workflow's activities use for refusals that no retry can fix. */
export const ISSUANCE_FAILURES = {
  unprintable: 'UnprintableCharacter',
  notEligible: 'NotEligible',
} as const;
