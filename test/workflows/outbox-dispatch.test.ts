/**
 * outboxDispatch on the time-skipping test server with a scripted deliverPending (R14 delivery): it calls again at
 * once while rows were found, sleeps the poll interval when none were, backs off while the transports refuse
 * everything, shows its counts in the Temporal UI's current details, and continues as new with its totals.
 * The at-most-once rules themselves are the activity's: test/integration/notifications/delivery.test.ts.
 */
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { withWorkflowAliases } from '@app/temporal/bundle';
import { workflowIds } from '@app/temporal/names';
import type { NotificationActivities } from '../../activities/notifications/delivery.activities';
import {
  outboxDispatchStatusQuery,
  ZERO_DELIVERY_COUNTS,
  type DeliveryCounts,
  type DeliveryResult,
  type OutboxDispatchInput,
} from '../../workflows/notifications/outbox-dispatch.messages';
import type { outboxDispatch } from '../../workflows/notifications/outbox-dispatch.workflow';
import { closeAll } from '../support/open-resources';
import { createTestWorker, createTimeSkippingEnv } from '../support/temporal';

jest.setTimeout(60_000);

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
});

afterAll(() => closeAll());

/** deliverPending answering from a script, then "nothing pending" for ever; records every call. */
class ScriptedDelivery implements Pick<NotificationActivities, 'deliverPending'> {
  readonly limits: number[] = [];
  /** The test server's (virtual) clock at each call. */
  readonly times: number[] = [];
  constructor(private readonly script: Partial<DeliveryCounts>[] | ((call: number) => Partial<DeliveryCounts>)) {}

  async deliverPending({ limit }: { limit: number }): Promise<DeliveryResult> {
    this.times.push(await env.currentTimeMs());
    this.limits.push(limit);
    const call = this.limits.length;
    const step = typeof this.script === 'function' ? this.script(call) : (this.script[call - 1] ?? {});
    return { ...ZERO_DELIVERY_COUNTS, ...step, inDoubt: 2 };
  }

  get calls(): number {
    return this.limits.length;
  }
}

/** Polls (in real time) until `ok`. */
async function eventually(ok: () => boolean, what: string): Promise<void> {
  const until = Date.now() + 20_000;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Real time passes, virtual time does not: nothing that waits on a timer may happen meanwhile. */
const settle = () => new Promise((r) => setTimeout(r, 700));

async function withDispatcher(
  activities: ScriptedDelivery,
  taskQueue: string,
  input: OutboxDispatchInput,
  fn: (handle: WorkflowHandleWithFirstExecutionRunId<typeof outboxDispatch>) => Promise<void>,
): Promise<void> {
  const worker = await createTestWorker({
    connection: env.nativeConnection,
    taskQueue,
    activities: { deliverPending: activities.deliverPending.bind(activities) },
    workflowsPath: require.resolve('../../workflows/notifications/outbox-dispatch.workflow'),
    bundlerOptions: { webpackConfigHook: (config) => withWorkflowAliases(config) },
  });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof outboxDispatch>('outboxDispatch', {
      taskQueue,
      workflowId: `${workflowIds.outboxDispatch()}-${taskQueue}`,
      args: [input],
    });
    try {
      await fn(handle);
    } finally {
      await handle.terminate('test done');
    }
  });
}

/** What the Temporal UI shows as the workflow's current details. */
async function currentDetails(handle: { query: (name: string) => Promise<unknown> }): Promise<string> {
  const metadata = (await handle.query('__temporal_workflow_metadata')) as { currentDetails?: string };
  return metadata.currentDetails ?? '';
}

it('delivers again at once while rows were found, and sleeps the poll interval when none were', async () => {
  const activities = new ScriptedDelivery([{ claimed: 3, sent: 3 }, { claimed: 2, sent: 1, failed: 1 }, {}]);
  await withDispatcher(activities, 'outbox-pacing', { pollIntervalSeconds: 60, limit: 25 }, async (handle) => {
    await eventually(() => activities.calls === 3, 'three calls');
    await settle();
    expect(activities.calls).toBe(3); // asleep: the third call found nothing
    expect(activities.limits).toEqual([25, 25, 25]);

    await env.sleep(50_000);
    await settle();
    expect(activities.calls).toBe(3);
    await env.sleep(10_000);
    await eventually(() => activities.calls === 4, 'the call after the poll interval');

    expect(await handle.query(outboxDispatchStatusQuery)).toEqual({
      run: 1,
      iterations: 4,
      totals: { claimed: 5, sent: 4, failed: 1, retrying: 0, unknown: 0 },
      inDoubt: 2,
    });
    const details = await currentDetails(handle);
    expect(details).toContain('已发送 4，失败 1');
    expect(details).toContain('“发送中” 2 条');
  });
});

it('backs off, doubling, while every row handed over is refused for now', async () => {
  const activities = new ScriptedDelivery([
    { claimed: 1, retrying: 1 },
    { claimed: 1, retrying: 1 },
    { claimed: 2, sent: 1, retrying: 1 },
  ]);
  await withDispatcher(activities, 'outbox-backoff', { pollIntervalSeconds: 10 }, async () => {
    await eventually(() => activities.calls === 1, 'the first call');
    await env.sleep(75_000);
    await eventually(() => activities.calls >= 5, 'five calls');
    const gaps = activities.times.slice(1, 5).map((t, i) => t - activities.times[i]);
    // 2 × and 4 × the poll interval after the refusals; none after a delivery; the poll interval after nothing.
    const expected = [20_000, 40_000, 0, 10_000];
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(expected[i]);
      expect(gap).toBeLessThan(expected[i] + 2_000);
    });
  });
});

it('continues as new after iterationsPerRun calls, carrying its totals (bounded history)', async () => {
  // Ten calls that each sent one, then nothing pending: the dispatcher idles on its poll timer (virtual time stands
  // still) and is asked only then, not while it spins through runs.
  const activities = new ScriptedDelivery((call) => (call <= 10 ? { claimed: 1, sent: 1 } : {}));
  await withDispatcher(activities, 'outbox-continue', { iterationsPerRun: 3 }, async (handle) => {
    await eventually(() => activities.calls >= 11, 'eleven calls');
    await settle();
    const status = await handle.query(outboxDispatchStatusQuery);
    // 3 calls a run: the 10th call was made in the 4th run; the totals came along through every continue-as-new.
    expect(status.run).toBe(4);
    expect(status.iterations).toBeLessThanOrEqual(3);
    expect(status.totals.sent).toBe(10);
    const described = await handle.describe();
    expect(described.runId).not.toBe(handle.firstExecutionRunId);
    expect(described.historyLength).toBeLessThan(60);
  });
});
