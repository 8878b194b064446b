/**
 * Temporal for workflow tests: the time-skipping test server (Java) or a local dev server, with our search attributes
 * registered (the test server starts with only the built-in ones, and a workflow that upserts an unknown attribute
 * fails its task), and workers. Each is listed with the file's open resources (open-resources.ts), so `closeAll()`
 * in `afterAll` stops the workers before their server, also when a test timed out with its worker still running.
 */
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment, type LocalTestWorkflowEnvironmentOptions } from '@temporalio/testing';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { testServerPath } from './env';
import { track, type Closable } from './open-resources';

const { IndexedValueType } = temporal.api.enums.v1;

const ATTRIBUTES: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  Province: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  MemberNo: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  ApplicationNo: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Stage: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  CampaignYear: IndexedValueType.INDEXED_VALUE_TYPE_INT,
};

type TestEnvironment = TestWorkflowEnvironment & Closable;

function closable(env: TestWorkflowEnvironment): TestEnvironment {
  return Object.assign(env, { close: () => env.teardown() });
}

export function createTimeSkippingEnv(): Promise<TestEnvironment> {
  return track(
    'Temporal test server',
    (async () => {
      const env = await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path: testServerPath() } },
      });
      await env.connection.operatorService.addSearchAttributes({
        namespace: env.namespace ?? 'default',
        searchAttributes: ATTRIBUTES,
      });
      return closable(env);
    })(),
  );
}

/** A dev server of its own (real time), for tests that need the full server's behaviour. */
export function createLocalEnv(options: LocalTestWorkflowEnvironmentOptions): Promise<TestEnvironment> {
  return track('Temporal dev server', TestWorkflowEnvironment.createLocal(options).then(closable));
}

/** Ends of a worker's life: it has no close of its own, and a test may have run it (runUntil) or not. */
const ENDED = new Set(['STOPPED', 'FAILED']);

export function createTestWorker(options: WorkerOptions): Promise<Worker & Closable> {
  return track(
    'Temporal worker',
    Worker.create(options).then((worker) =>
      Object.assign(worker, {
        close: async () => {
          // Never run: it still holds its connection until it has run and shut down.
          if (worker.getState() === 'INITIALIZED') return void (await worker.runUntil(Promise.resolve()));
          if (worker.getState() === 'RUNNING') worker.shutdown();
          while (!ENDED.has(worker.getState())) await new Promise((resolve) => setTimeout(resolve, 50));
        },
      }),
    ),
  );
}
