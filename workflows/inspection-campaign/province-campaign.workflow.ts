/**
 * provinceCampaign (R11, R12, R14, R19, R20): one province's part of a year's inspection-and-reissue campaign,
 * workflow id `campaign-<year>-<provinceCode>`, child of `campaign-<year>`.
 *
 *   wait for the province's own start date (`scheduleChanged`, default: at once)
 *   → page through its members in heartbeating batch activities (set-based SQL: reissue / invite / list)
 *     and continue as new every `batchesPerRun` batches, so the history stays bounded
 *   → remind invited members on the rhythm until the claim deadline (a timer)
 *   → void the paper certificates of the province's members at the deadline.
 *
 * Pause, resume and cancel are signals (from the campaign, or sent here directly); a pause takes effect between
 * batches and also holds reminders and the void. Progress is the `progress` query, the campaign_provinces row, and a
 * `provinceProgress` signal to the campaign after every batch and status change.
 */
import {
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { SEARCH_ATTRIBUTES } from '@app/temporal/names';
import type { CampaignActivities } from '../../activities/campaign/campaign.activities';
import {
  cancelSignal,
  deadlineInstant,
  pauseSignal,
  PROVINCE_CAMPAIGN_STATUS_LABELS,
  provinceProgressQuery,
  provinceProgressSignal,
  resumeSignal,
  scheduleChangedSignal,
  ZERO_COUNTS,
  type CampaignCounts,
  type ProvinceCampaignInput,
  type ProvinceCampaignResult,
  type ProvinceCampaignStatus,
  type ProvinceCarry,
  type ProvinceProgress,
} from './inspection-campaign.messages';

const activities = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

// A batch is `pagesPerBatch` transactions of `pageSize` members; the heartbeat after each page carries the cursor.
// A page takes well under a second, so a worker that died mid-batch is noticed after 30 s and the batch resumes
// elsewhere from the last heartbeaten cursor.
const batches = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export async function provinceCampaign(input: ProvinceCampaignInput): Promise<ProvinceCampaignResult> {
  const { year, provinceCode } = input;
  const carry: ProvinceCarry = input.carry ?? {
    startsAt: input.startsAt ?? null,
    paused: false,
    cancelled: false,
    phase: 'waiting',
    cursor: null,
    batches: 0,
    run: 0,
    remindersSent: 0,
    counts: ZERO_COUNTS,
  };
  let { startsAt, paused, cancelled, phase, cursor, counts } = carry;
  let batchCount = carry.batches;
  let remindersSent = carry.remindersSent;
  const run = carry.run + 1;
  let scheduleVersion = 0;
  let status: ProvinceCampaignStatus =
    carry.phase === 'reminding' ? 'reminding' : carry.phase === 'waiting' ? 'waiting' : 'running';

  const progress = (): ProvinceProgress => ({
    provinceCode,
    status,
    startsAt,
    cursor,
    batches: batchCount,
    run,
    remindersSent,
    counts,
  });
  setHandler(provinceProgressQuery, progress);
  setHandler(pauseSignal, () => void (paused = true));
  setHandler(resumeSignal, () => void (paused = false));
  setHandler(cancelSignal, () => void (cancelled = true));
  setHandler(scheduleChangedSignal, (change) => {
    if (change.provinceCode !== provinceCode) return;
    startsAt = change.startsAt;
    scheduleVersion++;
  });

  upsertSearchAttributes([
    { key: SEARCH_ATTRIBUTES.campaignYear, value: year },
    { key: SEARCH_ATTRIBUTES.province, value: provinceCode },
  ]);

  /** Status, search attribute, current details, the table (on a change) and the campaign. */
  const report = async (next: ProvinceCampaignStatus, tableUpdate = true) => {
    const changed = next !== status || tableUpdate;
    status = next;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.stage, value: next }]);
    setCurrentDetails(
      `${year} 年度年检换发 ${provinceCode}：${PROVINCE_CAMPAIGN_STATUS_LABELS[next]}` +
        `（已处理 ${counts.processed}/${counts.total}，换发 ${counts.reissued}，邀请 ${counts.invited}，` +
        `已申领 ${counts.claimed}，未通过 ${counts.failed}，未年检 ${counts.pending}，纸证作废 ${counts.voided}）`,
    );
    if (changed) counts = await activities.setProvinceStatus({ year, provinceCode, status: next, startsAt });
    try {
      await getExternalWorkflowHandle(input.parentWorkflowId).signal(provinceProgressSignal, progress());
    } catch {
      // Started on its own (tests, an operator re-running one province): nobody to report to.
    }
  };

  /** Holds while paused (status `paused`); returns true when cancelled. */
  const holdWhilePaused = async (resumeAs: ProvinceCampaignStatus): Promise<boolean> => {
    if (paused && !cancelled) {
      await report('paused');
      await condition(() => !paused || cancelled);
      if (!cancelled) await report(resumeAs);
    }
    return cancelled;
  };

  const finish = async (end: 'completed' | 'cancelled'): Promise<ProvinceCampaignResult> => {
    await report(end, end === 'cancelled');
    return { provinceCode, status: end, counts };
  };

  const next = (nextPhase: ProvinceCarry['phase']): Promise<never> =>
    continueAsNew<typeof provinceCampaign>({
      ...input,
      carry: { startsAt, paused, cancelled, phase: nextPhase, cursor, batches: batchCount, run, remindersSent, counts },
    });

  if (phase === 'waiting') {
    if (run === 1) counts = await activities.openProvince({ year, provinceCode, startsAt });
    await report('waiting');
    // The start date may move (or be cleared) while waiting: every change re-arms the timer.
    for (;;) {
      if (cancelled) return finish('cancelled');
      const wait = startsAt === null ? 0 : Date.parse(startsAt) - Date.now();
      if (wait <= 0) break;
      const seen = scheduleVersion;
      await condition(() => cancelled || scheduleVersion !== seen, wait);
    }
    if (await holdWhilePaused('waiting')) return finish('cancelled');
    phase = 'processing';
    counts = await activities.beginProcessing({ year, provinceCode });
    await report('running');
  }

  if (phase === 'processing') {
    let batchesThisRun = 0;
    for (;;) {
      if (await holdWhilePaused('running')) return finish('cancelled');
      const result = await batches.processBatch({
        year,
        provinceCode,
        cursor,
        pageSize: input.pageSize,
        pages: input.pagesPerBatch,
        claimDeadline: input.claimDeadline,
      });
      cursor = result.cursor;
      counts = result.counts;
      batchCount++;
      batchesThisRun++;
      if (result.done) break;
      await report('running', false);
      if (batchesThisRun >= input.batchesPerRun || workflowInfo().continueAsNewSuggested) return next('processing');
    }
    await report('reminding');
  }

  // Reminders on the rhythm until the deadline, then the void.
  const deadline = deadlineInstant(input.claimDeadline);
  for (;;) {
    if (await holdWhilePaused('reminding')) return finish('cancelled');
    const left = deadline - Date.now();
    if (left <= 0) break;
    const interrupted = await condition(() => cancelled || paused, Math.min(left, input.reminderEverySeconds * 1000));
    if (interrupted || Date.now() >= deadline) continue;
    remindersSent++;
    const reminded = await activities.sendReminders({
      year,
      provinceCode,
      step: remindersSent,
      claimDeadline: input.claimDeadline,
    });
    counts = stripReminded(reminded);
    await report('reminding', false);
    if (workflowInfo().continueAsNewSuggested) return next('reminding');
  }
  counts = await activities.voidPaperCertificates({ year, provinceCode });
  return finish('completed');
}

function stripReminded(counts: CampaignCounts & { reminded?: number }): CampaignCounts {
  const { reminded, ...rest } = counts;
  void reminded;
  return rest;
}
