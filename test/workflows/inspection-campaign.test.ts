/**
 * inspectionCampaign and provinceCampaign on the time-skipping test server with in-memory activities (R11, R12,
 * R14, R19, R20): paging with continue-as-new, reminders on the rhythm until the deadline, the paper void at the
 * deadline, a province starting on its own later date, pause / resume / cancel of one province or the whole
 * campaign, search attributes and the aggregated progress query.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES, workflowIds } from '@app/temporal/names';
import {
  campaignProgressQuery,
  campaignRenderingQuery,
  cancelSignal,
  pauseSignal,
  provinceProgressQuery,
  resumeSignal,
  scheduleChangedSignal,
  type InspectionCampaignInput,
} from '../../workflows/inspection-campaign/inspection-campaign.messages';
import type { inspectionCampaign } from '../../workflows/inspection-campaign/inspection-campaign.workflow';
import { closeAll } from '../support/open-resources';
import { createTestWorker, createTimeSkippingEnv } from '../support/temporal';
import { campaignWorkerOptions, FakeCampaignActivities } from './inspection-campaign.scenarios';

jest.setTimeout(60_000);

const DAY = 86_400_000;
let env: TestWorkflowEnvironment;

// A test server of its own for each test (about a second to start): a test that fails midway can leave the server's
// time locked (an activity task taken by a worker that then stopped), and the next test's skipped days would never
// come.
beforeEach(async () => {
  env = await createTimeSkippingEnv();
});

afterEach(() => closeAll());

/** Runs `fn` with a worker on `taskQueue`. */
async function withWorker<T>(
  activities: FakeCampaignActivities,
  taskQueue: string,
  fn: () => Promise<T>,
  withIssuanceStub = false,
) {
  const worker = await createTestWorker({
    connection: env.nativeConnection,
    taskQueue,
    activities: activities.bind(),
    ...campaignWorkerOptions(withIssuanceStub),
  });
  return worker.runUntil(fn);
}

/** Deadlines and start dates from the test server's clock, which skips ahead while a test waits. */
async function campaignInput(
  year: number,
  provinceCodes: string[],
  deadlineInDays: number,
): Promise<InspectionCampaignInput> {
  const now = await env.currentTimeMs();
  return {
    year,
    provinceCodes,
    claimDeadline: new Date(now + deadlineInDays * DAY).toISOString(),
    reminderEverySeconds: 3 * 24 * 3600,
    launchedBy: { actorId: null, actorLabel: 'test' },
    pageSize: 5,
    pagesPerBatch: 1,
    batchesPerRun: 2,
  };
}

/** Polls (in real time) until `ok`; errors (e.g. a child not started yet) count as "not yet". */
async function eventually<T>(fn: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  const until = Date.now() + 20_000;
  for (;;) {
    // A query can wait on the worker: each try's calls end at the deadline (a gRPC deadline, so none retries on into
    // the teardown, where its next try would throw on the closed channel), and a stall reports what it saw.
    const value = await env.client.connection
      .withDeadline(Math.max(until, Date.now()) + 1_000, fn)
      .catch((error: unknown) => error as T);
    if (!(value instanceof Error) && ok(value)) return value;
    if (Date.now() > until)
      throw new Error(
        `timed out waiting for ${what}: ${value instanceof Error ? String(value) : JSON.stringify(value)}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whether `workflowId`'s history has a signal named `name`. */
const receivedSignal = (workflowId: string, name: string) => async () => {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).some((e) => e.workflowExecutionSignaledEventAttributes?.signalName === name);
};

const childStatus = (year: number, code: string) => () =>
  env.client.workflow.getHandle(workflowIds.provinceCampaign(year, code)).query(provinceProgressQuery);

it('R19 R12 R11: pages every province (continuing as new), reminds on the rhythm, voids paper at the deadline', async () => {
  const activities = new FakeCampaignActivities({ '11': 23, '31': 4 });
  const year = 2031;
  const { result, progress, child11, described, childDescribed } = await withWorker(
    activities,
    'campaign-paging',
    async () => {
      const handle = await env.client.workflow.start<typeof inspectionCampaign>('inspectionCampaign', {
        taskQueue: 'campaign-paging',
        workflowId: workflowIds.campaign(year),
        args: [await campaignInput(year, ['31', '11'], 10)],
      });
      const result = await handle.result();
      return {
        result,
        progress: await handle.query(campaignProgressQuery),
        child11: await childStatus(year, '11')(),
        described: await handle.describe(),
        childDescribed: await env.client.workflow.getHandle(workflowIds.provinceCampaign(year, '11')).describe(),
      };
    },
  );

  // 23 members, 5 per batch → 5 batches; 2 batches per run → the child continued as new twice (3 runs).
  expect(activities.batchesOf('11')).toEqual([
    'batch:11:0-5',
    'batch:11:5-10',
    'batch:11:10-15',
    'batch:11:15-20',
    'batch:11:20-23',
  ]);
  expect(child11).toMatchObject({ status: 'completed', run: 3, batches: 5, remindersSent: 3, cursor: '23' });
  expect(activities.batchesOf('31')).toEqual(['batch:31:0-4']);
  // Reminders every 3 days before a deadline 10 days out: days 3, 6 and 9; then the void, once per province.
  for (const code of ['11', '31']) {
    expect(activities.calls.filter((c) => c.startsWith(`remind:${code}:`))).toEqual([
      `remind:${code}:1`,
      `remind:${code}:2`,
      `remind:${code}:3`,
    ]);
    expect(activities.calls.filter((c) => c === `void:${code}`)).toHaveLength(1);
    expect(activities.calls.indexOf(`void:${code}`)).toBeGreaterThan(activities.calls.indexOf(`remind:${code}:3`));
  }
  expect(result.provinces.map((p) => [p.provinceCode, p.status])).toEqual([
    ['11', 'completed'],
    ['31', 'completed'],
  ]);
  expect(result.totals).toMatchObject({ total: 27, processed: 27, reissued: 14, invited: 13, voided: 13 });
  expect(progress.status).toBe('completed');
  expect(progress.totals).toEqual(result.totals);
  // R20: search attributes on every execution.
  expect(described.typedSearchAttributes.get(SEARCH_ATTRIBUTES.campaignYear)).toBe(year);
  expect(described.typedSearchAttributes.get(SEARCH_ATTRIBUTES.province)).toBe('national');
  expect(described.typedSearchAttributes.get(SEARCH_ATTRIBUTES.stage)).toBe('completed');
  expect(childDescribed.typedSearchAttributes.get(SEARCH_ATTRIBUTES.campaignYear)).toBe(year);
  expect(childDescribed.typedSearchAttributes.get(SEARCH_ATTRIBUTES.province)).toBe('11');
  expect(childDescribed.typedSearchAttributes.get(SEARCH_ATTRIBUTES.stage)).toBe('completed');
});

it('R11 R19: a province starts on its own date; one province pauses and resumes; cancel stops the rest', async () => {
  const activities = new FakeCampaignActivities({ '11': 12, '44': 8 });
  const year = 2032;
  let release!: () => void;
  activities.gates.set('11', new Promise<void>((r) => (release = r)));
  await withWorker(activities, 'campaign-control', async () => {
    const handle = await env.client.workflow.start<typeof inspectionCampaign>('inspectionCampaign', {
      taskQueue: 'campaign-control',
      workflowId: workflowIds.campaign(year),
      args: [await campaignInput(year, ['11', '44'], 30)],
    });
    // Guangdong's institute sets its own start date, 5 days out, before anything ran there.
    await handle.signal(scheduleChangedSignal, {
      provinceCode: '44',
      startsAt: new Date((await env.currentTimeMs()) + 5 * DAY).toISOString(),
    });
    await eventually(childStatus(year, '44'), (p) => p.startsAt !== null, '44 to get its start date');
    // Beijing's first batch is under way (held at the gate): pause Beijing only, then let the batch finish.
    await eventually(
      async () => activities.entered,
      (e) => e.includes('11'),
      "Beijing's first batch to start",
    );
    await handle.signal(pauseSignal, { provinceCode: '11' });
    // The campaign forwards the pause to Beijing's child in a task of its own: release the batch only once the child
    // has it, or the child may start its next batch first.
    await eventually(
      receivedSignal(workflowIds.provinceCampaign(year, '11'), pauseSignal.name),
      (received) => received,
      'Beijing to receive the pause',
    );
    release();
    const paused = await eventually(childStatus(year, '11'), (p) => p.status === 'paused', '11 to pause');
    expect(paused.batches).toBe(1);
    await new Promise((r) => setTimeout(r, 500));
    expect(activities.batchesOf('11')).toEqual(['batch:11:0-5']);

    // Four days on, Guangdong is still waiting for its date; then day 5 passes and it starts.
    await env.sleep(4 * DAY);
    expect(activities.calls).not.toContain('begin:44');
    expect((await childStatus(year, '44')()).status).toBe('waiting');
    await env.sleep(1 * DAY + 60_000);
    await eventually(childStatus(year, '44'), (p) => p.status === 'reminding', '44 to process and remind');
    expect(activities.batchesOf('44')).toEqual(['batch:44:0-5', 'batch:44:5-8']);
    // Beijing stayed paused all that time.
    expect(activities.batchesOf('11')).toEqual(['batch:11:0-5']);

    await handle.signal(resumeSignal, { provinceCode: '11' });
    // Seen through the province's status activity, not a query: on a loaded machine, a query of the run the child has
    // continued into was seen to go unanswered by the test server for over 20 s while the run sat on its timer.
    await eventually(
      async () => activities.statuses,
      (statuses) => statuses.includes('11:reminding'),
      '11 to finish paging',
    );
    expect(activities.batchesOf('11')).toEqual(['batch:11:0-5', 'batch:11:5-10', 'batch:11:10-12']);
    // The campaign learns a province's status from that province's next progress signal: it may be a moment behind.
    const progress = await eventually(
      () => handle.query(campaignProgressQuery),
      (p) => p.provinces.every((province) => province.status === 'reminding'),
      'the campaign to see both provinces reminding',
    );
    expect(progress.provinces.map((p) => [p.provinceCode, p.status])).toEqual([
      ['11', 'reminding'],
      ['44', 'reminding'],
    ]);
    expect(progress.totals).toMatchObject({ total: 20, processed: 20 });

    // The national administrator cancels the whole campaign before the deadline: no void anywhere.
    await handle.signal(cancelSignal, {});
    const result = await handle.result();
    expect(result.provinces.map((p) => [p.provinceCode, p.status])).toEqual([
      ['11', 'cancelled'],
      ['44', 'cancelled'],
    ]);
    expect(activities.calls.filter((c) => c.startsWith('void:'))).toEqual([]);
    expect((await handle.query(campaignProgressQuery)).status).toBe('cancelled');
    expect(activities.statuses).toEqual(expect.arrayContaining(['11:paused', '11:cancelled', '44:cancelled']));
  });
});

it('R19: cancelling one province leaves the others running to the deadline', async () => {
  const activities = new FakeCampaignActivities({ '12': 3, '13': 3 });
  const year = 2033;
  await withWorker(activities, 'campaign-cancel-one', async () => {
    const handle = await env.client.workflow.start<typeof inspectionCampaign>('inspectionCampaign', {
      taskQueue: 'campaign-cancel-one',
      workflowId: workflowIds.campaign(year),
      args: [await campaignInput(year, ['12', '13'], 7)],
    });
    await eventually(childStatus(year, '12'), (p) => p.status === 'reminding', '12 to remind');
    await handle.signal(cancelSignal, { provinceCode: '12' });
    const result = await handle.result();
    expect(result.provinces.map((p) => [p.provinceCode, p.status])).toEqual([
      ['12', 'cancelled'],
      ['13', 'completed'],
    ]);
    expect(activities.calls).toContain('void:13');
    expect(activities.calls).not.toContain('void:12');
  });
});

it('R12: the renderer issues every pending reissue through certificateIssuance, a few at a time, continuing as new', async () => {
  const pending = Array.from({ length: 7 }, (_, i) => ({
    certificateNo: `1100000009${String(i).padStart(2, '0')}`,
    version: 2,
  }));
  const activities = new FakeCampaignActivities({ '11': 6 }, pending);
  const year = 2034;
  await withWorker(
    activities,
    'campaign-render',
    async () => {
      const handle = await env.client.workflow.start<typeof inspectionCampaign>('inspectionCampaign', {
        taskQueue: 'campaign-render',
        workflowId: workflowIds.campaign(year),
        args: [{ ...(await campaignInput(year, ['11'], 7)), renderConcurrency: 2, renderChildrenPerRun: 3 }],
      });
      await handle.result();
      const renderer = env.client.workflow.getHandle(workflowIds.campaignRendering(year));
      const progress = await renderer.query(campaignRenderingQuery);
      expect(progress).toMatchObject({ rendered: 7, refused: 0, inFlight: 0, processingFinished: true });
      // 3 children a run: at least 3 runs for 7.
      expect(progress.run).toBeGreaterThanOrEqual(3);
      const started: string[] = [];
      let runId: string | undefined = (await renderer.describe()).runId;
      // Walk the runs back from the last one through their first events' continuedExecutionRunId.
      while (runId) {
        const history = await env.client.workflow.getHandle(workflowIds.campaignRendering(year), runId).fetchHistory();
        for (const e of history.events ?? []) {
          const id = e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
          if (id) started.push(id);
        }
        runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
      }
      expect(started.sort()).toEqual(pending.map((p) => workflowIds.certificate(p.certificateNo, 2)).sort());
      const issued = await env.client.workflow
        .getHandle(workflowIds.certificate(pending[0].certificateNo, 2))
        .describe();
      expect(issued.type).toBe('certificateIssuance');
    },
    true,
  );
});
