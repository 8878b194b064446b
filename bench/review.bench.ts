/**
 * Staff decision → next task visible in the queue: a provincial reviewer approves an application at the first
 * review (POST /api/tasks/:id/decision, after taking it with POST /api/tasks/next) and a national reviewer polls
 * GET /api/tasks?type=secondReview until the application's secondReview task is listed. In between: the API stores
 * the decision and signals the applicationReview workflow, the workflow runs recordReviewOutcome and then
 * openReviewTask, which inserts the task. p50/p95/max over BENCH_REVIEW_N decisions, one after another.
 *
 * Baseline, measured in the same run on the same Temporal dev server: the Temporal signal round-trip, a minimal
 * workflow (bench/workflows/signal-roundtrip.ts) that waits for a signal and then runs one activity; signal sent
 * → activity running in this process. Batches alternate baseline, review, review, baseline so that drift in
 * machine load hits both sides alike.
 *
 * Everything is self-contained and removed afterwards, also on failure or Ctrl-C: a throw-away PostgreSQL
 * (ephemeral) and a headless Temporal dev server in a temporary folder, the workflow bundle built there, the real
 * API app (in this process, on a free port) and the real worker app. The worker runs in a child process by
 * default (BENCH_REVIEW_WORKER=child), as in production, where API and worker are separate processes: in one
 * process the 5 ms polling, the API's request handling and the worker's activities would share one event loop.
 * BENCH_REVIEW_WORKER=inprocess runs it in this process instead, for comparison.
 *
 * Env: BENCH_REVIEW_N (default 200), BENCH_REVIEW_WARMUP (default 5 of each), BENCH_REVIEW_POLL_MS (default 5),
 * BENCH_REVIEW_WORKER (child | inprocess). Prints, never asserts; exits non-zero only if something crashes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { NestFactory } from '@nestjs/core';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { DataSource } from 'typeorm';
import { loadConfig } from '@app/config';
import { Task } from '@app/persistence';
import { createApiApp } from '../apps/api/src/app.factory';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { stopChild } from '../scripts/lib/services';
import { createStaff, TEST_PASSWORD } from '../test/factories/accounts';
import { applicationFields, defaultFiles, formData } from '../test/factories/applications';
import { Session } from '../test/support/api';
import { goSignal, type signalThenActivity } from './workflows/signal-roundtrip';
import { cleanups, serveWorkerChild, servicesEnv, startBenchServices, withCleanups } from './support/services';

const TARGET_P95_MS = 300;
const PROVINCE = '11';
const WORKER_ARG = '--review-worker';
const EventType = temporal.api.enums.v1.EventType;

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer: ${raw}`);
  return value;
}

/** Nearest-rank percentile. */
const percentile = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
};
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** performance.now() as epoch milliseconds, comparable with Temporal's and PostgreSQL's timestamps. */
const epochMs = (t: number) => performance.timeOrigin + t;

interface TaskItem {
  id: string;
  subjectId: string;
  type: string;
}

async function json<T>(response: Response, what: string): Promise<T> {
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function startWorkerChild(env: NodeJS.ProcessEnv, root: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', path.join(root, 'bench', 'register.mts'), __filename, WORKER_ARG], {
    cwd: root,
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  cleanups.push(() => stopChild(child, 10_000));
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`worker child exited with code ${code} while starting`)));
    child.once('error', reject);
  });
  return child;
}

async function main(): Promise<void> {
  const n = envInt('BENCH_REVIEW_N', 200);
  const warmup = envInt('BENCH_REVIEW_WARMUP', 5);
  const pollMs = envInt('BENCH_REVIEW_POLL_MS', 5);
  const workerMode = process.env.BENCH_REVIEW_WORKER ?? 'child';
  if (workerMode !== 'child' && workerMode !== 'inprocess') {
    throw new Error(`BENCH_REVIEW_WORKER must be child or inprocess: ${workerMode}`);
  }
  const root = path.resolve(__dirname, '..');

  const services = await startBenchServices('review', 'cicpa_bench');
  const { temporal: temporalServer } = services;

  const env = servicesEnv(services);
  const config = loadConfig(env, root);

  // ---------------------------------------------------------------- API and worker apps
  const api = await createApiApp(config);
  cleanups.push(() => api.close());
  await api.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${(api.getHttpServer().address() as { port: number }).port}`;

  if (workerMode === 'child') {
    await startWorkerChild(env, root);
  } else {
    const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
      logger: ['error', 'warn'],
    });
    cleanups.push(() => worker.close());
    await worker.init();
  }

  // ---------------------------------------------------------------- baseline worker (this process)
  const client = api.get(Client); // the API's own Temporal client, which also sends the decision signals
  const baselineQueue = `bench-signal-${randomBytes(4).toString('hex')}`;
  const reachedAt = new Map<number, number>();
  const reachedWaiters = new Map<number, () => void>();
  const connection = await NativeConnection.connect({ address: temporalServer.address });
  cleanups.push(() => connection.close());
  const baselineWorker = await Worker.create({
    connection,
    namespace: temporalServer.namespace,
    taskQueue: baselineQueue,
    workflowsPath: path.join(__dirname, 'workflows', 'signal-roundtrip.ts'),
    bundlerOptions: {},
    activities: {
      reached: async (sequence: number): Promise<void> => {
        reachedAt.set(sequence, performance.now());
        reachedWaiters.get(sequence)?.();
      },
    },
  });
  const baselineRun = baselineWorker.run();
  cleanups.push(async () => {
    if (baselineWorker.getState() === 'RUNNING') baselineWorker.shutdown();
    await baselineRun;
  });

  // ---------------------------------------------------------------- accounts and applications
  const dataSource = api.get(DataSource);
  const login = async (role: 'provincialReviewer' | 'nationalReviewer', province: string | null) => {
    const account = await createStaff(dataSource, role, province);
    const session = new Session(baseUrl);
    const response = await session.post('/api/auth/staff/login', {
      username: account.username,
      password: TEST_PASSWORD,
    });
    if (response.status !== 200) throw new Error(`login of ${role}: HTTP ${response.status}`);
    return session;
  };
  const first = await login('provincialReviewer', PROVINCE);
  const second = await login('nationalReviewer', null);

  const total = n + warmup;
  const files = await defaultFiles();
  let submitted = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (submitted < total) {
        submitted++;
        const response = await fetch(`${baseUrl}/api/applications`, {
          method: 'POST',
          body: formData(applicationFields(PROVINCE), files),
        });
        await json(response, 'submit application');
      }
    }),
  );
  // Every workflow has opened its first-review task before timing starts.
  for (let i = 0; ; i++) {
    const page = await json<{ total: number }>(
      await first.get('/api/tasks?type=firstReview&pageSize=1'),
      'first-review queue',
    );
    if (page.total >= total) break;
    if (i > 600) throw new Error(`only ${page.total} of ${total} first-review tasks opened`);
    await sleep(100);
  }

  // Baseline workflows, started up front like the applications, each waiting for its signal.
  const baselineHandles: WorkflowHandle<typeof signalThenActivity>[] = [];
  for (let i = 0; i < total; i++) {
    baselineHandles.push(
      await client.workflow.start<typeof signalThenActivity>('signalThenActivity', {
        taskQueue: baselineQueue,
        workflowId: `${baselineQueue}-${i}`,
      }),
    );
  }
  for (const handle of baselineHandles) {
    for (let i = 0; ; i++) {
      const history = await handle.fetchHistory();
      if (history.events?.some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)) break;
      if (i > 600) throw new Error(`${handle.workflowId} never ran its first workflow task`);
      await sleep(50);
    }
  }
  await sleep(1000);

  // ---------------------------------------------------------------- measurements
  let baselineNext = 0;
  const baselineMs: number[] = [];
  const baselineRuns: { workflowId: string; t0: number }[] = [];
  const signalRoundTrip = async (record: boolean): Promise<void> => {
    const sequence = baselineNext++;
    const handle = baselineHandles[sequence];
    const reached = new Promise<void>((resolve) => reachedWaiters.set(sequence, resolve));
    const t0 = performance.now();
    await handle.signal(goSignal, sequence);
    await reached;
    if (record) {
      baselineMs.push(reachedAt.get(sequence)! - t0);
      baselineRuns.push({ workflowId: handle.workflowId, t0 });
    }
    await handle.result();
  };

  interface Decision {
    applicationId: string;
    workflowId: string;
    t0: number;
    decisionReturned: number;
    t1: number;
    polls: number;
  }
  const decisions: Decision[] = [];
  const reviewMs: number[] = [];
  const decide = async (record: boolean): Promise<void> => {
    const task = await json<TaskItem & { id: string }>(
      await first.post('/api/tasks/next', { type: 'firstReview' }),
      'take next first-review task',
    );
    const t0 = performance.now();
    const decided = await first.post(`/api/tasks/${task.id}/decision`, { outcome: 'approve' });
    const decisionReturned = performance.now();
    await json(decided, 'decision');
    let polls = 0;
    let found: TaskItem | undefined;
    let t1 = 0;
    while (!found) {
      const pollStart = performance.now();
      if (pollStart - t0 > 60_000) throw new Error(`no secondReview task for ${task.subjectId} after 60 s`);
      const page = await json<{ items: TaskItem[] }>(
        await second.get('/api/tasks?type=secondReview&pageSize=100'),
        'second-review queue',
      );
      polls++;
      t1 = performance.now();
      found = page.items.find((item) => item.subjectId === task.subjectId);
      if (!found) await sleep(Math.max(0, pollMs - (t1 - pollStart)));
    }
    if (record) {
      reviewMs.push(t1 - t0);
      const { workflowId } = await dataSource.getRepository(Task).findOneByOrFail({ id: task.id });
      decisions.push({ applicationId: task.subjectId, workflowId, t0, decisionReturned, t1, polls });
    }
    // Untimed: the national reviewer takes the task, so the open second-review queue stays one page long.
    await json(await second.post(`/api/tasks/${found.id}/claim`), 'claim second-review task');
  };

  for (let i = 0; i < warmup; i++) await signalRoundTrip(false);
  for (let i = 0; i < warmup; i++) await decide(false);
  const half = Math.ceil(n / 2);
  for (let i = 0; i < half; i++) await signalRoundTrip(true);
  for (let i = 0; i < half; i++) await decide(true);
  for (let i = half; i < n; i++) await decide(true);
  for (let i = half; i < n; i++) await signalRoundTrip(true);

  // ---------------------------------------------------------------- where the time goes (history timestamps)
  const reviewTimeline = await timeline(
    client,
    decisions.map((d) => ({ workflowId: d.workflowId, t0: d.t0, extra: { 'POST answered': d.decisionReturned } })),
  );
  const baselineTimeline = await timeline(client, baselineRuns);

  const f = (x: number) => x.toFixed(1);
  console.log(
    `review: decision → next task visible p50 ${f(percentile(reviewMs, 50))} ms, ` +
      `p95 ${f(percentile(reviewMs, 95))} ms (n=${n}, target p95 ≤ ${TARGET_P95_MS} ms) | ` +
      `baseline signal → activity p50 ${f(percentile(baselineMs, 50))} ms, p95 ${f(percentile(baselineMs, 95))} ms`,
  );
  const polls = decisions.map((d) => d.polls);
  console.log(
    `review: max ${f(Math.max(...reviewMs))} ms, baseline max ${f(Math.max(...baselineMs))} ms | ` +
      `worker ${workerMode === 'child' ? 'in a child process' : 'in the bench process'}, polled every ${pollMs} ms ` +
      `(median ${percentile(polls, 50)} GETs per decision), ${warmup} warm-up of each`,
  );
  console.log(
    `review: after t0 (decision sent), ms p50/p95: ${reviewTimeline}, visible ${f(percentile(reviewMs, 50))}/${f(percentile(reviewMs, 95))}`,
  );
  console.log(`baseline: after t0 (signal sent), ms p50/p95: ${baselineTimeline}`);
}

/**
 * Median and p95 time after t0 of each event that follows the (first) signal in the workflows' histories: when the
 * server received the signal, each workflow task and activity was scheduled (history), handed to a worker's poll
 * (`started`, stamped by the server at dispatch) and completed. Clocks: one machine, epoch milliseconds.
 */
async function timeline(
  client: Client,
  runs: readonly { workflowId: string; t0: number; extra?: Record<string, number> }[],
): Promise<string> {
  const marks = new Map<string, number[]>();
  const mark = (label: string, ms: number) => {
    if (!marks.has(label)) marks.set(label, []);
    marks.get(label)!.push(ms);
  };
  for (const run of runs) {
    const events = (await client.workflow.getHandle(run.workflowId).fetchHistory()).events ?? [];
    const signalled = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
    const activityNames = new Map<string, string>();
    const seen = new Map<string, number>();
    for (const e of events.slice(signalled)) {
      let label: string;
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (scheduled) activityNames.set(String(e.eventId), scheduled.activityType?.name ?? '?');
      const activityOf = (id: unknown) => activityNames.get(String(id)) ?? '?';
      switch (e.eventType) {
        case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
          label = 'signalled';
          break;
        case EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
          label = 'wft scheduled';
          break;
        case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
          label = 'wft started';
          break;
        case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
          label = 'wft completed';
          break;
        case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
          label = `${activityOf(e.eventId)} scheduled`;
          break;
        case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
          label = `${activityOf(e.activityTaskStartedEventAttributes?.scheduledEventId)} started`;
          break;
        case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
          label = `${activityOf(e.activityTaskCompletedEventAttributes?.scheduledEventId)} completed`;
          break;
        default:
          continue;
      }
      const occurrence = (seen.get(label) ?? 0) + 1;
      seen.set(label, occurrence);
      mark(occurrence > 1 ? `${label} #${occurrence}` : label, tsToMs(e.eventTime) - epochMs(run.t0));
    }
    for (const [label, at] of Object.entries(run.extra ?? {})) mark(label, at - run.t0);
  }
  const f = (x: number) => x.toFixed(0);
  return [...marks.entries()]
    .filter(([, xs]) => xs.length >= runs.length / 2)
    .sort((a, b) => percentile(a[1], 50) - percentile(b[1], 50))
    .map(([label, xs]) => `${label} ${f(percentile(xs, 50))}/${f(percentile(xs, 95))}`)
    .join(', ');
}

async function entry(): Promise<void> {
  // The SDK's worker state changes and webpack's module list are INFO: keep the output to the figures.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  if (process.argv.includes(WORKER_ARG)) return serveWorkerChild();
  await withCleanups(main);
}

entry().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
