/**
 * campaignRendering (R12, R20): renders the reissued certificate versions of a year's campaign, workflow id
 * `campaign-<year>-render`, child of `campaign-<year>`.
 *
 * The campaign's batch activities decide a member's reissue in bulk: they create the new version row (`pending`,
 * snapshot frozen with the new inspection pass date) but do not render it, because Chromium renders about a dozen
 * certificates a second here while the batches decide thousands. This workflow drains the pending versions at the
 * pace of the `render` task queue: it keeps `concurrency` certificateIssuance children in flight (each one the
 * ordinary issuance of that version, so idempotency, activation, supersession and the member's notice are the
 * issuance workflow's), and the render workers' slots set the real rate. A member who downloads before their turn
 * starts the same issuance workflow id on demand (CertificatesService); whichever start comes second finds it
 * running or done.
 *
 * It sleeps when nothing is pending, is woken by `reissuesAdded` from the campaign (after a batch that reissued),
 * ends once the campaign reports every province processed (`processingFinished`) and nothing is left, and continues
 * as new every `childrenPerRun` children so its history stays bounded. Pause holds new starts; cancel stops.
 */
import {
  condition,
  continueAsNew,
  ParentClosePolicy,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { SEARCH_ATTRIBUTES, workflowIds } from '@app/temporal/names';
import type { CampaignActivities } from '../../activities/campaign/campaign.activities';
import type { certificateIssuance } from '../certificate-issuance/certificate-issuance.workflow';
import {
  cancelSignal,
  campaignRenderingQuery,
  pauseSignal,
  processingFinishedSignal,
  reissuesAddedSignal,
  resumeSignal,
  type CampaignRenderingInput,
  type CampaignRenderingProgress,
  type PendingReissue,
} from './inspection-campaign.messages';

const activities = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * With nothing pending it waits for the campaign's `reissuesAdded` (signals are durable, none is lost); this timer
 * only re-checks versions that a download was rendering when last seen. A short one would fill the history while
 * a province waits weeks for its start date.
 */
const IDLE_RECHECK = '1 day';
const LIST_SIZE = 50;

export async function campaignRendering(input: CampaignRenderingInput): Promise<CampaignRenderingProgress> {
  const { year } = input;
  const carry = input.carry ?? {
    rendered: 0,
    refused: [],
    processingFinished: false,
    paused: false,
    cancelled: false,
    run: 0,
  };
  let { rendered, processingFinished, paused, cancelled } = carry;
  const refused = [...carry.refused];
  const run = carry.run + 1;
  let woken = false;
  /** Started elsewhere (a download rendering on demand) and still running: skipped until this run ends. */
  const elsewhere = new Set<string>();
  const inFlight = new Map<string, Promise<void>>();
  let startedThisRun = 0;

  const progress = (): CampaignRenderingProgress => ({
    year,
    rendered,
    inFlight: inFlight.size,
    refused: refused.length,
    processingFinished,
    paused,
    cancelled,
    run,
  });
  const describe = () =>
    setCurrentDetails(
      `${year} 年度年检换发证书生成：已生成 ${rendered}，正在生成 ${inFlight.size}，拒绝 ${refused.length}` +
        (paused ? '（已暂停）' : cancelled ? '（已取消）' : processingFinished ? '（会员已全部处理）' : ''),
    );
  setHandler(campaignRenderingQuery, progress);
  setHandler(processingFinishedSignal, () => void (processingFinished = true));
  setHandler(reissuesAddedSignal, () => void (woken = true));
  setHandler(pauseSignal, () => void (paused = true));
  setHandler(resumeSignal, () => void (paused = false));
  setHandler(cancelSignal, () => void (cancelled = true));
  upsertSearchAttributes([
    { key: SEARCH_ATTRIBUTES.campaignYear, value: year },
    { key: SEARCH_ATTRIBUTES.stage, value: 'rendering' },
  ]);
  describe();

  const issue = async ({ certificateNo, version }: PendingReissue, key: string) => {
    try {
      const child = await startChild<typeof certificateIssuance>('certificateIssuance', {
        workflowId: workflowIds.certificate(certificateNo, version),
        args: [
          {
            certificateNo,
            version,
            reason: 'reissue',
            requestedBy: { actorType: 'system', actorId: null, actorLabel: workflowInfo().workflowId },
          },
        ],
        // The issuance outlives a continue-as-new of this workflow; a failed earlier run may be tried again.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        staticSummary: `${year} 年度年检换发：证书 ${certificateNo} 第 ${version} 版`,
      });
      await child.result();
      rendered++;
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) elsewhere.add(key);
      else refused.push(key); // The issuance failed for good (e.g. an unprintable character): staff see it there.
    } finally {
      inFlight.delete(key);
      describe();
    }
  };

  let queue: PendingReissue[] = [];
  for (;;) {
    await condition(() => cancelled || (!paused && inFlight.size < input.concurrency));
    if (cancelled) break;
    if (queue.length === 0) {
      queue = await activities.listPendingReissues({
        year,
        exclude: [...inFlight.keys(), ...elsewhere, ...refused],
        // No more than this run will start: what is listed is started before the run continues as new.
        limit: Math.min(LIST_SIZE, input.childrenPerRun - startedThisRun),
      });
    }
    const item = queue.shift();
    if (item === undefined) {
      if (inFlight.size > 0) {
        // More may become listable when these finish (or when they refuse): wait for one, then look again.
        await Promise.race(inFlight.values());
        continue;
      }
      if (processingFinished && elsewhere.size === 0) break;
      woken = false;
      const seenFinished = processingFinished;
      await condition(() => woken || cancelled || processingFinished !== seenFinished, IDLE_RECHECK);
      elsewhere.clear();
      if (startedThisRun > 0 || workflowInfo().continueAsNewSuggested) {
        return continueAsNew<typeof campaignRendering>({ ...input, carry: carryNow() });
      }
      continue;
    }
    const key = `${item.certificateNo}-v${item.version}`;
    if (inFlight.has(key)) continue;
    inFlight.set(key, issue(item, key));
    startedThisRun++;
    describe();
    if (startedThisRun >= input.childrenPerRun || workflowInfo().continueAsNewSuggested) {
      await Promise.all(inFlight.values());
      return continueAsNew<typeof campaignRendering>({ ...input, carry: carryNow() });
    }
  }
  await Promise.all(inFlight.values());
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.stage, value: cancelled ? 'cancelled' : 'completed' }]);
  describe();
  return progress();

  function carryNow(): NonNullable<CampaignRenderingInput['carry']> {
    return { rendered, refused, processingFinished, paused, cancelled, run };
  }
}
