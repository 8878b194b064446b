/**
 * inspectionCampaign (R11, R12, R14, R19, R20): a national administrator's yearly inspection-and-reissue campaign,
 * workflow id `campaign-<year>`, one `provinceCampaign` child per province (`campaign-<year>-<provinceCode>`).
 *
 * Progress: children report to the campaign by signal (`provinceProgress`) after each batch and status change, and
 * the campaign's `progress` query aggregates the last reports. The other way round (the campaign querying its
 * children) is not possible from workflow code: a query handler must answer synchronously from local state and
 * workflows cannot query other workflows. Reports are one signal per batch (≈ 5,000 members), so the campaign's
 * history stays small; the dashboards read the campaign_provinces table, which outlives Temporal's retention.
 *
 * Control: `pause` / `resume` / `cancel` without a province act on all children, with one on that child only;
 * `scheduleChanged` sets a province's own start date. The campaign forwards each to the children by signal.
 *
 * Rendering (patch `campaign-rendering`): a third kind of child, `campaignRendering` (`campaign-<year>-render`),
 * renders the versions the batches created as `pending`, at the render queue's pace. The campaign wakes it after a
 * report that shows new reissues and tells it when every province is processed; whole-campaign pause, resume and
 * cancel reach it too. Campaigns started before the patch never had one and replay without it.
 */
import {
  condition,
  getExternalWorkflowHandle,
  patched,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  type ChildWorkflowHandle,
  type SignalDefinition,
} from '@temporalio/workflow';
import { SEARCH_ATTRIBUTES, workflowIds } from '@app/temporal/names';
import {
  campaignProgressQuery,
  NATIONAL_PROVINCE_VALUE,
  cancelSignal,
  pauseSignal,
  processingFinishedSignal,
  provinceProgressSignal,
  reissuesAddedSignal,
  resumeSignal,
  scheduleChangedSignal,
  sumCounts,
  ZERO_COUNTS,
  type CampaignProgress,
  type InspectionCampaignInput,
  type InspectionCampaignResult,
  type ProvinceCampaignResult,
  type ProvinceProgress,
  type ProvinceTarget,
} from './inspection-campaign.messages';
import type { campaignRendering } from './campaign-rendering.workflow';
import type { provinceCampaign } from './province-campaign.workflow';

export const RENDERING_PATCH = 'campaign-rendering';
const PROCESSED: readonly string[] = ['reminding', 'completed', 'cancelled'];

/** Signals another execution of the campaign; one that has finished already has nothing to act on. */
async function signalIfRunning<T extends unknown[]>(workflowId: string, signal: SignalDefinition<T>, ...args: T) {
  try {
    await getExternalWorkflowHandle(workflowId).signal(signal, ...args);
  } catch {
    // Finished (completed, cancelled): nothing to pause, resume, cancel or wake.
  }
}

export async function inspectionCampaign(input: InspectionCampaignInput): Promise<InspectionCampaignResult> {
  const { year } = input;
  const codes = [...new Set(input.provinceCodes)].sort();
  const provinces = new Map<string, ProvinceProgress>(
    codes.map((provinceCode) => [
      provinceCode,
      {
        provinceCode,
        status: 'waiting',
        startsAt: null,
        cursor: null,
        batches: 0,
        run: 0,
        remindersSent: 0,
        counts: ZERO_COUNTS,
      },
    ]),
  );
  let paused = false;
  let cancelled = false;
  let finished = false;

  const progress = (): CampaignProgress => {
    const list = [...provinces.values()];
    return {
      year,
      status: finished
        ? cancelled
          ? 'cancelled'
          : 'completed'
        : cancelled
          ? 'cancelled'
          : paused
            ? 'paused'
            : 'running',
      claimDeadline: input.claimDeadline,
      provinces: list,
      totals: sumCounts(list.map((p) => p.counts)),
    };
  };
  const describe = () => {
    const p = progress();
    const done = p.provinces.filter((x) => x.status === 'completed' || x.status === 'cancelled').length;
    setCurrentDetails(
      `${year} 年度年检换发：${codes.length} 个地方注协，${done} 个已结束；已处理 ${p.totals.processed}/${p.totals.total}，` +
        `换发 ${p.totals.reissued}，邀请 ${p.totals.invited}，已申领 ${p.totals.claimed}，未通过 ${p.totals.failed}，` +
        `未年检 ${p.totals.pending}，纸证作废 ${p.totals.voided}（截止 ${input.claimDeadline}）`,
    );
  };

  setHandler(campaignProgressQuery, progress);
  setHandler(provinceProgressSignal, (report) => {
    if (!provinces.has(report.provinceCode)) return;
    provinces.set(report.provinceCode, report);
    describe();
  });
  upsertSearchAttributes([
    { key: SEARCH_ATTRIBUTES.campaignYear, value: year },
    { key: SEARCH_ATTRIBUTES.province, value: NATIONAL_PROVINCE_VALUE },
    { key: SEARCH_ATTRIBUTES.stage, value: 'running' },
  ]);
  describe();

  let renderer: ChildWorkflowHandle<typeof campaignRendering> | undefined;
  if (patched(RENDERING_PATCH)) {
    renderer = await startChild<typeof campaignRendering>('campaignRendering', {
      workflowId: workflowIds.campaignRendering(year),
      args: [
        {
          year,
          concurrency: input.renderConcurrency ?? 20,
          childrenPerRun: input.renderChildrenPerRun ?? 500,
        },
      ],
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTES.campaignYear, value: year },
        { key: SEARCH_ATTRIBUTES.province, value: NATIONAL_PROVINCE_VALUE },
        { key: SEARCH_ATTRIBUTES.stage, value: 'rendering' },
      ],
      staticSummary: `${year} 年度年检换发：生成换发证书`,
    });
  }

  const children: ChildWorkflowHandle<typeof provinceCampaign>[] = [];
  for (const provinceCode of codes) {
    children.push(
      await startChild<typeof provinceCampaign>('provinceCampaign', {
        workflowId: workflowIds.provinceCampaign(year, provinceCode),
        args: [
          {
            year,
            provinceCode,
            claimDeadline: input.claimDeadline,
            reminderEverySeconds: input.reminderEverySeconds,
            pageSize: input.pageSize ?? 500,
            pagesPerBatch: input.pagesPerBatch ?? 10,
            batchesPerRun: input.batchesPerRun ?? 20,
            parentWorkflowId: workflowInfo().workflowId,
            ...(input.provinceStarts?.[provinceCode] ? { startsAt: input.provinceStarts[provinceCode] } : {}),
          },
        ],
        typedSearchAttributes: [
          { key: SEARCH_ATTRIBUTES.campaignYear, value: year },
          { key: SEARCH_ATTRIBUTES.province, value: provinceCode },
          { key: SEARCH_ATTRIBUTES.stage, value: 'waiting' },
        ],
        staticSummary: `${year} 年度年检换发：地方注协 ${provinceCode}`,
      }),
    );
  }

  // Control signals are handled once every child exists (signals that came earlier wait in Temporal's buffer), so a
  // forward never races a child's start.
  const forward = async <T extends unknown[]>(signal: SignalDefinition<T>, targets: readonly string[], ...args: T) => {
    await Promise.all(
      targets.map((provinceCode) => signalIfRunning(workflowIds.provinceCampaign(year, provinceCode), signal, ...args)),
    );
  };
  const targetsOf = (target: ProvinceTarget) =>
    target.provinceCode === undefined ? codes : codes.filter((c) => c === target.provinceCode);
  setHandler(pauseSignal, async (target) => {
    if (target.provinceCode === undefined) paused = true;
    await forward(pauseSignal, targetsOf(target), {});
    if (target.provinceCode === undefined) await tellRenderer(pauseSignal, {});
    describe();
  });
  setHandler(resumeSignal, async (target) => {
    if (target.provinceCode === undefined) paused = false;
    await forward(resumeSignal, targetsOf(target), {});
    if (target.provinceCode === undefined) await tellRenderer(resumeSignal, {});
    describe();
  });
  setHandler(cancelSignal, async (target) => {
    if (target.provinceCode === undefined) cancelled = true;
    await forward(cancelSignal, targetsOf(target), {});
    if (target.provinceCode === undefined) await tellRenderer(cancelSignal, {});
    describe();
  });
  if (renderer) void feedRenderer();
  setHandler(scheduleChangedSignal, async (change) => {
    await forward(scheduleChangedSignal, targetsOf(change), change);
  });

  async function tellRenderer<T extends unknown[]>(signal: SignalDefinition<T>, ...args: T): Promise<void> {
    if (renderer) await signalIfRunning(renderer.workflowId, signal, ...args);
  }

  /** Wakes the renderer after reports with new reissues; tells it once every province has been processed. */
  async function feedRenderer(): Promise<void> {
    let told = 0;
    const reissued = () => sumCounts([...provinces.values()].map((p) => p.counts)).reissued;
    const allProcessed = () => [...provinces.values()].every((p) => PROCESSED.includes(p.status));
    for (;;) {
      await condition(() => reissued() > told || allProcessed());
      if (reissued() > told) {
        told = reissued();
        await tellRenderer(reissuesAddedSignal);
      }
      if (allProcessed()) {
        await tellRenderer(processingFinishedSignal);
        return;
      }
    }
  }

  const results: ProvinceCampaignResult[] = await Promise.all(children.map((child) => child.result()));
  for (const r of results) {
    const last = provinces.get(r.provinceCode)!;
    provinces.set(r.provinceCode, { ...last, status: r.status, counts: r.counts });
  }
  // Every reissued version rendered (or the renderer cancelled) before the campaign reports itself finished.
  if (renderer) await renderer.result();
  finished = true;
  if (results.every((r) => r.status === 'cancelled')) cancelled = true;
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.stage, value: cancelled ? 'cancelled' : 'completed' }]);
  describe();
  return { year, provinces: results, totals: sumCounts(results.map((r) => r.counts)) };
}
