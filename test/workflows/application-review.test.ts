/**
 * applicationReview on the time-skipping test server with in-memory activities: reminders
 * of days-long waits, return-and-resubmit at both levels, rejection, late decisions ignored.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { progressQuery } from '../../workflows/application-review/application-review.messages';
import { closeAll } from '../support/open-resources';
import { createTestWorker, createTimeSkippingEnv } from '../support/temporal';
import { FakeApplicationActivities, reviewWorkerOptions, SCENARIOS } from './application-review.scenarios';

jest.setTimeout(60_000);

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
});

afterAll(() => closeAll());

async function run(name: string) {
  const scenario = SCENARIOS.find((s) => s.name === name)!;
  const activities = new FakeApplicationActivities();
  const taskQueue = `review-${name}`;
  const worker = await createTestWorker({
    connection: env.nativeConnection,
    taskQueue,
    activities: activities.bind(),
    ...reviewWorkerOptions(),
  });
  const outcome = await worker.runUntil(async () => {
    const done = await scenario.run(env.client, taskQueue, (ms) => env.sleep(ms));
    // Queried while the worker still runs: a query needs a worker, even on a closed workflow.
    const progress = await env.client.workflow.getHandle(done.workflowId).query(progressQuery);
    return { ...done, progress };
  });
  return { ...outcome, activities };
}

it('reminds every 3 days while the first review waits, then admits the member', async () => {
  const { result, activities, progress } = await run('approved-after-reminders');
  expect(result).toEqual({ outcome: 'approved', certificateNo: '110000000042' });
  expect(activities.reminders).toEqual([
    { taskId: 'firstReview-1', reminder: 1 },
    { taskId: 'firstReview-1', reminder: 2 },
  ]);
  expect(activities.opened.map((o) => `${o.level}-${o.round}`)).toEqual(['firstReview-1', 'secondReview-1']);
  expect(activities.admitted).toBe(1);
  expect(progress).toMatchObject({ stage: 'approved', certificateNo: '110000000042', taskId: null });
  expect(progress.steps.map((s) => `${s.stage}${s.outcome ? `:${s.outcome}` : ''}`)).toEqual([
    'submitted',
    'firstReview',
    'firstReview:approve',
    'secondReview',
    'secondReview:approve',
    'approved',
  ]);
});

it('starts again at the first review after each correction, ignoring a late decision', async () => {
  const { result, activities } = await run('returned-twice-then-approved');
  expect(result).toEqual({ outcome: 'approved', certificateNo: '110000000042' });
  expect(activities.opened.map((o) => `${o.level}-${o.round}`)).toEqual([
    'firstReview-1',
    'firstReview-2',
    'secondReview-2',
    'firstReview-3',
    'secondReview-3',
  ]);
  expect(activities.outcomes).toEqual([
    'firstReview:return',
    'firstReview:approve',
    'secondReview:return',
    'firstReview:approve',
    'secondReview:approve',
  ]);
});

it('ends rejected at the second review without admitting anyone', async () => {
  const { result, activities } = await run('rejected-at-second-review');
  expect(result).toEqual({ outcome: 'rejected', certificateNo: null });
  expect(activities.admitted).toBe(0);
  expect(activities.outcomes).toEqual(['firstReview:approve', 'secondReview:reject']);
});
