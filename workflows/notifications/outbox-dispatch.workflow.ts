/**
 * The outbox's dispatcher (R14, DESIGN.md "outbox table + transports"): one long-running workflow, id
 * `outbox-dispatch`, that the worker starts when a mail or SMS transport is configured. It hands pending rows to
 * their transports in activity calls and sleeps when there is nothing to send. The at-most-once rules live in the
 * activity (NotificationActivities.deliverPending); this loop only paces it.
 *
 * History stays bounded: the workflow continues as new after `iterationsPerRun` calls or when Temporal suggests
 * it, carrying its totals.
 */
import {
  continueAsNew,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { NotificationActivities } from '../../activities/notifications/delivery.activities';
import {
  outboxDispatchStatusQuery,
  ZERO_DELIVERY_COUNTS,
  type DeliveryCounts,
  type OutboxDispatchInput,
} from './outbox-dispatch.messages';

const { deliverPending } = proxyActivities<NotificationActivities>({
  // An activity call stops claiming after about a minute (see the activity); this only bounds a hung transport.
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  // A database that is away: keep trying, never give up on the outbox.
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** Longest pause while the transports refuse everything (an SMTP server or gateway that is down). */
const MAX_BACKOFF_MS = 5 * 60_000;

function add(a: DeliveryCounts, b: DeliveryCounts): DeliveryCounts {
  return {
    claimed: a.claimed + b.claimed,
    sent: a.sent + b.sent,
    failed: a.failed + b.failed,
    retrying: a.retrying + b.retrying,
    unknown: a.unknown + b.unknown,
  };
}

export async function outboxDispatch(input: OutboxDispatchInput = {}): Promise<void> {
  const pollMs = (input.pollIntervalSeconds ?? 5) * 1000;
  const limit = input.limit ?? 100;
  const iterationsPerRun = input.iterationsPerRun ?? 200;
  const run = input.carry?.run ?? 1;
  let totals = input.carry?.totals ?? ZERO_DELIVERY_COUNTS;
  let iterations = 0;
  let inDoubt = 0;
  let refusedStreak = 0;

  setHandler(outboxDispatchStatusQuery, () => ({ run, iterations, totals, inDoubt }));
  const report = () =>
    setCurrentDetails(
      `通知投递（第 ${run} 轮，本轮 ${iterations} 次）：已发送 ${totals.sent}，失败 ${totals.failed}，` +
        `暂时被拒待重试 ${totals.retrying} 次，结果不明 ${totals.unknown}；` +
        `当前“发送中” ${inDoubt} 条（长时间停留的须人工核实，不会自动重发）`,
    );
  report();

  while (iterations < iterationsPerRun && !workflowInfo().continueAsNewSuggested) {
    const result = await deliverPending({ limit });
    iterations += 1;
    totals = add(totals, result);
    inDoubt = result.inDoubt;
    report();
    if (result.claimed === 0) {
      refusedStreak = 0;
      await sleep(pollMs);
    } else if (result.sent === 0 && result.retrying > 0) {
      // Everything handed over was refused for now: going again at once would only use up attempts of more rows.
      refusedStreak += 1;
      await sleep(Math.min(pollMs * 2 ** refusedStreak, MAX_BACKOFF_MS));
    } else {
      refusedStreak = 0;
    }
  }
  await continueAsNew<typeof outboxDispatch>({ ...input, carry: { run: run + 1, totals } });
}
