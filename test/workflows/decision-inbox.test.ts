/**
 * DecisionInbox on Temporal's time-skipping test server: a wait of days with reminders
 * passes in seconds. Activities are mocked.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { decisionSignal } from '../../workflows/common/decision-inbox';
import { decisionWaitFixture } from './fixtures/decision-wait.workflow';
import { closeAll } from '../support/open-resources';
import { createTestWorker, createTimeSkippingEnv } from '../support/temporal';

jest.setTimeout(120_000);

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
});

afterAll(() => closeAll());

it('reminds every 3 days while a decision is awaited, and returns the first decision for its own task', async () => {
  const reminded: number[] = [];
  const worker = await createTestWorker({
    connection: env.nativeConnection,
    taskQueue: 'decision-wait',
    workflowsPath: require.resolve('./fixtures/decision-wait.workflow'),
    activities: {
      openTask: async () => 'task-1',
      remindTask: async (_taskId: string, n: number) => void reminded.push(n),
    },
  });

  const result = await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(decisionWaitFixture, {
      taskQueue: 'decision-wait',
      workflowId: `decision-wait-${Date.now()}`,
      args: ['3 days'],
    });
    await env.sleep('10 days');
    // A decision for another task (late, or meant for another wait) changes nothing.
    await handle.signal(decisionSignal, { taskId: 'task-0', decision: { outcome: 'reject' } });
    await handle.signal(decisionSignal, { taskId: 'task-1', decision: { outcome: 'approve' } });
    await handle.signal(decisionSignal, { taskId: 'task-1', decision: { outcome: 'return' } });
    return handle.result();
  });

  expect(result).toEqual({ decision: { outcome: 'approve' }, reminders: 3 });
  expect(reminded).toEqual([1, 2, 3]);
});
