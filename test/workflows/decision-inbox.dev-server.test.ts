/**
 * The same wait on the real Temporal dev server binary (started by the global set-up):
 * a decision signalled through the client reaches the waiting workflow; no reminder fires
 * within a real-time wait shorter than the reminder period.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { decisionSignal } from '../../workflows/common/decision-inbox';
import { decisionWaitFixture } from './fixtures/decision-wait.workflow';
import { requireEnv } from '../support/env';
import { closeAll, track } from '../support/open-resources';
import { createTestWorker } from '../support/temporal';

jest.setTimeout(120_000);

afterAll(() => closeAll());

it('delivers a staff decision to the waiting workflow on the dev server', async () => {
  const address = requireEnv('TEMPORAL_ADDRESS');
  const nativeConnection = await track('native connection', NativeConnection.connect({ address }));
  const connection = await track('connection', Connection.connect({ address }));
  const client = new Client({ connection });
  const taskQueue = `decision-wait-dev-${process.pid}`;
  const reminded: number[] = [];
  let opened = 0;
  const worker = await createTestWorker({
    connection: nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('./fixtures/decision-wait.workflow'),
    activities: {
      openTask: async () => `task-${++opened}`,
      remindTask: async (_taskId: string, n: number) => void reminded.push(n),
    },
  });
  const result = await worker.runUntil(async () => {
    const handle = await client.workflow.start(decisionWaitFixture, {
      taskQueue,
      workflowId: `decision-wait-dev-${Date.now()}`,
      args: ['1 hour'],
    });
    // Wait until the task is open, as the API would find it in the tasks table.
    while (opened === 0) await new Promise((r) => setTimeout(r, 50));
    await handle.signal(decisionSignal, { taskId: 'task-1', decision: { outcome: 'approve', reason: null } });
    return handle.result();
  });
  expect(result).toEqual({ decision: { outcome: 'approve', reason: null }, reminders: 0 });
  expect(reminded).toEqual([]);
});
