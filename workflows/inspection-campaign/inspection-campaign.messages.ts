/**
 * Inputs, signals, queries and results of `inspectionCampaign` and its per-province child `provinceCampaign`
 * (R11, R12, R14, R19, R20). Shared by the workflows, their activities and the API that launches a campaign.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';

/** The Province search attribute of the campaign itself (its children carry their province code). */
export const NATIONAL_PROVINCE_VALUE = 'national';

export interface InspectionCampaignInput {
  readonly year: number;
  readonly provinceCodes: readonly string[];
  /** ISO date (`2025-12-31`, Beijing time) or timestamp: paper certificates of the campaign's members are void from then. */
  readonly claimDeadline: string;
  /** Rhythm of the claim reminders to invited members. */
  readonly reminderEverySeconds: number;
  readonly launchedBy: { readonly actorId: string | null; readonly actorLabel: string };
  /** Members per page (one transaction) and pages per batch activity; defaults 500 and 10. */
  readonly pageSize?: number;
  readonly pagesPerBatch?: number;
  /** Batch activities per run of a province child before it continues as new; default 20. */
  readonly batchesPerRun?: number;
  /** Start dates the institutes set before the launch (ISO timestamps, by province code); others start at once. */
  readonly provinceStarts?: Readonly<Record<string, string>>;
  /**
   * Reissued versions rendered at once by campaignRendering (issuance workflows in flight); default 20, so the
   * render worker (RENDER_POOL_SIZE × RENDER_MAX_GROUP tasks) can print them in groups.
   */
  readonly renderConcurrency?: number;
  /** Issuance children per run of campaignRendering before it continues as new; default 500. */
  readonly renderChildrenPerRun?: number;
}

export type ProvinceCampaignStatus = 'waiting' | 'running' | 'paused' | 'reminding' | 'completed' | 'cancelled';

export const PROVINCE_CAMPAIGN_STATUS_LABELS: Record<ProvinceCampaignStatus, string> = {
  waiting: '等待本省启动日期',
  running: '正在逐批处理会员',
  paused: '已暂停',
  reminding: '等待会员申领（定期提醒）',
  completed: '已完成（纸质证书已失效）',
  cancelled: '已取消',
};

/** Counts of one province, as in the campaign_provinces row. */
export interface CampaignCounts {
  readonly total: number;
  readonly processed: number;
  readonly inspected: number;
  readonly reissued: number;
  readonly invited: number;
  readonly claimed: number;
  readonly failed: number;
  readonly pending: number;
  readonly voided: number;
}

export const ZERO_COUNTS: CampaignCounts = {
  total: 0,
  processed: 0,
  inspected: 0,
  reissued: 0,
  invited: 0,
  claimed: 0,
  failed: 0,
  pending: 0,
  voided: 0,
};

export interface ProvinceProgress {
  readonly provinceCode: string;
  readonly status: ProvinceCampaignStatus;
  /** ISO timestamp of the province's start, null = at once. */
  readonly startsAt: string | null;
  /** Last member id processed (the paging cursor). */
  readonly cursor: string | null;
  readonly batches: number;
  /** Runs of the child so far (1 + continue-as-new count). */
  readonly run: number;
  readonly remindersSent: number;
  readonly counts: CampaignCounts;
}

export interface CampaignProgress {
  readonly year: number;
  readonly status: 'running' | 'paused' | 'completed' | 'cancelled';
  readonly claimDeadline: string;
  readonly provinces: readonly ProvinceProgress[];
  readonly totals: CampaignCounts;
}

/** State a province child carries across continue-as-new. */
export interface ProvinceCarry {
  readonly startsAt: string | null;
  readonly paused: boolean;
  readonly cancelled: boolean;
  readonly phase: 'waiting' | 'processing' | 'reminding';
  readonly cursor: string | null;
  readonly batches: number;
  readonly run: number;
  readonly remindersSent: number;
  readonly counts: CampaignCounts;
}

export interface ProvinceCampaignInput {
  readonly year: number;
  readonly provinceCode: string;
  readonly claimDeadline: string;
  readonly reminderEverySeconds: number;
  readonly pageSize: number;
  readonly pagesPerBatch: number;
  readonly batchesPerRun: number;
  /** `campaign-<year>`: where progress is reported. */
  readonly parentWorkflowId: string;
  /** The province's own start date known at launch (ISO timestamp); absent = at once, until `scheduleChanged`. */
  readonly startsAt?: string | null;
  readonly carry?: ProvinceCarry;
}

export interface ProvinceCampaignResult {
  readonly provinceCode: string;
  readonly status: Extract<ProvinceCampaignStatus, 'completed' | 'cancelled'>;
  readonly counts: CampaignCounts;
}

export interface InspectionCampaignResult {
  readonly year: number;
  readonly provinces: readonly ProvinceCampaignResult[];
  readonly totals: CampaignCounts;
}

/** Signals of the whole campaign; without `provinceCode` they apply to every province. */
export interface ProvinceTarget {
  readonly provinceCode?: string;
}
export interface ScheduleChange {
  readonly provinceCode: string;
  /** ISO timestamp; null = start at once. */
  readonly startsAt: string | null;
}
export const pauseSignal = defineSignal<[ProvinceTarget]>('pause');
export const resumeSignal = defineSignal<[ProvinceTarget]>('resume');
export const cancelSignal = defineSignal<[ProvinceTarget]>('cancel');
/** Institute staff set their province's own reissue start date (R11); sent to the campaign or to the child. */
export const scheduleChangedSignal = defineSignal<[ScheduleChange]>('scheduleChanged');
/** Children report their progress to the campaign (see inspection-campaign.workflow.ts for why not queries). */
export const provinceProgressSignal = defineSignal<[ProvinceProgress]>('provinceProgress');

/** The campaign tells its renderer that a batch created pending versions, and when every province is processed. */
export const reissuesAddedSignal = defineSignal('reissuesAdded');
export const processingFinishedSignal = defineSignal('processingFinished');

export interface PendingReissue {
  readonly certificateNo: string;
  readonly version: number;
}

export interface CampaignRenderingInput {
  readonly year: number;
  readonly concurrency: number;
  /** Issuance children started per run before continuing as new. */
  readonly childrenPerRun: number;
  readonly carry?: {
    readonly rendered: number;
    /** `<certificateNo>-v<version>` of issuances that failed for good; not tried again by this campaign. */
    readonly refused: readonly string[];
    readonly processingFinished: boolean;
    readonly paused: boolean;
    readonly cancelled: boolean;
    readonly run: number;
  };
}

export interface CampaignRenderingProgress {
  readonly year: number;
  readonly rendered: number;
  readonly inFlight: number;
  readonly refused: number;
  readonly processingFinished: boolean;
  readonly paused: boolean;
  readonly cancelled: boolean;
  readonly run: number;
}
export const campaignRenderingQuery = defineQuery<CampaignRenderingProgress>('progress');

export const campaignProgressQuery = defineQuery<CampaignProgress>('progress');
export const provinceProgressQuery = defineQuery<ProvinceProgress>('progress');

export function sumCounts(list: readonly CampaignCounts[]): CampaignCounts {
  const out: Record<keyof CampaignCounts, number> = { ...ZERO_COUNTS };
  for (const c of list) for (const k of Object.keys(out) as (keyof CampaignCounts)[]) out[k] += c[k];
  return out;
}

/**
 * The deadline as an instant: a bare date means the start of that day in Beijing (paper certificates are invalid
 * "from 2025-12-31").
 */
export function deadlineInstant(claimDeadline: string): number {
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(claimDeadline) ? `${claimDeadline}T00:00:00+08:00` : claimDeadline;
  const at = Date.parse(iso);
  if (Number.isNaN(at)) throw new TypeError(`claimDeadline is not a date: ${claimDeadline}`);
  return at;
}
