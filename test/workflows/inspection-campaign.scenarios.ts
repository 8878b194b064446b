/**
 * In-memory activities and worker options for the inspectionCampaign workflow tests, shared by the time-skipping
 * tests and by the script that records histories for the replay test.
 */
import type { WorkerOptions } from '@temporalio/worker';
import { withWorkflowAliases } from '@app/temporal/bundle';
import type {
  CampaignActivities,
  ProcessBatchInput,
  ProcessBatchResult,
  ProvinceKey,
} from '../../activities/campaign/campaign.activities';
import {
  ZERO_COUNTS,
  type CampaignCounts,
  type PendingReissue,
  type ProvinceCampaignStatus,
} from '../../workflows/inspection-campaign/inspection-campaign.messages';

/**
 * Worker options that bundle just the campaign's workflows, with the project's aliases; `withIssuanceStub` adds a
 * stand-in certificateIssuance for the renderer's children.
 */
export function campaignWorkerOptions(
  withIssuanceStub = false,
): Pick<WorkerOptions, 'workflowsPath' | 'bundlerOptions'> {
  return {
    workflowsPath: withIssuanceStub
      ? require.resolve('./fixtures/campaign-with-stub-issuance')
      : require.resolve('../../workflows/inspection-campaign'),
    bundlerOptions: { webpackConfigHook: (config) => withWorkflowAliases(config) },
  };
}

/**
 * A province of `size` members in memory: member i (1-based) passed if odd (reissued), else is invited. Batches can
 * be held at a gate, so a test can act while a province is mid-way.
 */
export class FakeCampaignActivities implements Pick<CampaignActivities, keyof CampaignActivities> {
  readonly calls: string[] = [];
  readonly counts = new Map<string, CampaignCounts>();
  readonly statuses: string[] = [];
  readonly gates = new Map<string, Promise<void>>();
  /** Provinces whose batch activity has started (before its gate). */
  readonly entered: string[] = [];

  /** Pending reissues the renderer finds: each listed once (as if rendered after), the rest never. */
  private readonly pendingReissues: PendingReissue[];

  constructor(
    private readonly sizes: Record<string, number>,
    pendingReissues: PendingReissue[] = [],
  ) {
    this.pendingReissues = [...pendingReissues];
  }

  private get(key: ProvinceKey) {
    return this.counts.get(key.provinceCode) ?? ZERO_COUNTS;
  }

  async openProvince(input: ProvinceKey & { startsAt: string | null }) {
    this.calls.push(`open:${input.provinceCode}`);
    return this.get(input);
  }

  async setProvinceStatus(input: ProvinceKey & { status: ProvinceCampaignStatus }) {
    this.statuses.push(`${input.provinceCode}:${input.status}`);
    return this.get(input);
  }

  async beginProcessing(input: ProvinceKey) {
    this.calls.push(`begin:${input.provinceCode}`);
    this.counts.set(input.provinceCode, { ...this.get(input), total: this.sizes[input.provinceCode] });
    return this.get(input);
  }

  async processBatch(input: ProcessBatchInput): Promise<ProcessBatchResult> {
    this.entered.push(input.provinceCode);
    await this.gates.get(input.provinceCode);
    const size = this.sizes[input.provinceCode];
    const from = input.cursor === null ? 0 : Number(input.cursor);
    const to = Math.min(size, from + input.pageSize * input.pages);
    this.calls.push(`batch:${input.provinceCode}:${from}-${to}`);
    const c = this.get(input);
    let reissued = 0;
    for (let i = from + 1; i <= to; i++) if (i % 2 === 1) reissued++;
    this.counts.set(input.provinceCode, {
      ...c,
      processed: c.processed + (to - from),
      inspected: c.inspected + reissued,
      reissued: c.reissued + reissued,
      invited: c.invited + (to - from - reissued),
    });
    return { cursor: String(to), done: to >= size, counts: this.get(input) };
  }

  async sendReminders(input: ProvinceKey & { step: number }) {
    this.calls.push(`remind:${input.provinceCode}:${input.step}`);
    return { ...this.get(input), reminded: this.get(input).invited };
  }

  async voidPaperCertificates(input: ProvinceKey) {
    this.calls.push(`void:${input.provinceCode}`);
    this.counts.set(input.provinceCode, { ...this.get(input), voided: this.get(input).invited });
    return this.get(input);
  }

  async listPendingReissues(input: { year: number; limit: number }) {
    this.calls.push(`listPending:${input.year}`);
    return this.pendingReissues.splice(0, input.limit);
  }

  /** The methods as the plain object a Worker wants. */
  bind() {
    return {
      openProvince: this.openProvince.bind(this),
      setProvinceStatus: this.setProvinceStatus.bind(this),
      beginProcessing: this.beginProcessing.bind(this),
      processBatch: this.processBatch.bind(this),
      sendReminders: this.sendReminders.bind(this),
      voidPaperCertificates: this.voidPaperCertificates.bind(this),
      listPendingReissues: this.listPendingReissues.bind(this),
    };
  }

  batchesOf(provinceCode: string) {
    return this.calls.filter((c) => c.startsWith(`batch:${provinceCode}:`));
  }
}
