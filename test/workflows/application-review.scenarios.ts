/**
 * Scenarios of applicationReview with in-memory activities, shared by the time-skipping
 * tests and by the script that records histories for the replay test.
 */
import type { Client } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import type { ReviewDecision } from '@app/domain/review';
import { withWorkflowAliases } from '@app/temporal/bundle';
import type { ApplicationActivities, OpenReviewTaskInput } from '../../activities/applications/applications.activities';
import { decisionSignal } from '../../workflows/common/decision-inbox';
import {
  progressQuery,
  resubmittedSignal,
  type ApplicationReviewInput,
} from '../../workflows/application-review/application-review.messages';

export const APPLICATION_REVIEW_WORKFLOWS =
  require.resolve('../../workflows/application-review/application-review.workflow');

/** Worker options that bundle just this workflow, with the project's aliases. */
export function reviewWorkerOptions(): Pick<WorkerOptions, 'workflowsPath' | 'bundlerOptions'> {
  return {
    workflowsPath: APPLICATION_REVIEW_WORKFLOWS,
    bundlerOptions: { webpackConfigHook: (config) => withWorkflowAliases(config) },
  };
}

/** Activities that record what the workflow asked for. */
export class FakeApplicationActivities implements Pick<ApplicationActivities, keyof ApplicationActivities> {
  readonly opened: OpenReviewTaskInput[] = [];
  readonly reminders: Array<{ taskId: string; reminder: number }> = [];
  readonly outcomes: string[] = [];
  admitted = 0;

  async openReviewTask(input: OpenReviewTaskInput) {
    this.opened.push(input);
    return { taskId: `${input.level}-${input.round}` };
  }

  async remindReviewTask(input: { taskId: string; reminder: number }) {
    this.reminders.push(input);
  }

  async recordReviewOutcome(input: { level: string; decision: ReviewDecision }) {
    this.outcomes.push(`${input.level}:${input.decision.outcome}`);
  }

  async admitMember() {
    this.admitted++;
    return { certificateNo: '110000000042', memberId: '00000000-0000-0000-0000-000000000042' };
  }

  bind(): Record<string, (...args: never[]) => Promise<unknown>> {
    return {
      openReviewTask: this.openReviewTask.bind(this),
      remindReviewTask: this.remindReviewTask.bind(this),
      recordReviewOutcome: this.recordReviewOutcome.bind(this),
      admitMember: this.admitMember.bind(this),
    };
  }
}

export const input = (applicationNo: string, reminderAfterSeconds = 3 * 86400): ApplicationReviewInput => ({
  applicationId: '00000000-0000-0000-0000-000000000001',
  applicationNo,
  provinceCode: '11',
  applicantName: '张三',
  reminderAfterSeconds,
});

const decision = (outcome: ReviewDecision['outcome'], reason: string | null = null): ReviewDecision => ({
  outcome,
  reason,
  decidedBy: '00000000-0000-0000-0000-0000000000aa',
  decidedByLabel: '测试审核员',
});

export type Sleep = (ms: number) => Promise<void>;

/** Waits (in workflow time where the server skips time) until the workflow waits on `taskId`. */
async function waitForTask(client: Client, workflowId: string, taskId: string, sleep: Sleep): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const progress = await client.workflow.getHandle(workflowId).query(progressQuery);
    if (progress.taskId === taskId) return;
    await sleep(100);
  }
  throw new Error(`workflow ${workflowId} never waited on ${taskId}`);
}

export interface Scenario {
  readonly name: string;
  run(client: Client, taskQueue: string, sleep: Sleep): Promise<{ workflowId: string; result: unknown }>;
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'approved-after-reminders',
    async run(client, taskQueue, sleep) {
      const workflowId = `application-SQ-approved-${Date.now()}`;
      const handle = await client.workflow.start('applicationReview', {
        taskQueue,
        workflowId,
        args: [input('SQ-approved')],
      });
      await waitForTask(client, workflowId, 'firstReview-1', sleep);
      await sleep(7 * 86400 * 1000); // two reminders, in skipped time
      // The inbox keeps a decision that arrives before its task's wait, so both can be sent
      // now; awaiting the result lets the test server skip time past any activity retry.
      await handle.signal(decisionSignal, { taskId: 'firstReview-1', decision: decision('approve') });
      await handle.signal(decisionSignal, { taskId: 'secondReview-1', decision: decision('approve') });
      return { workflowId, result: await handle.result() };
    },
  },
  {
    name: 'returned-twice-then-approved',
    async run(client, taskQueue, sleep) {
      const workflowId = `application-SQ-returned-${Date.now()}`;
      const handle = await client.workflow.start('applicationReview', {
        taskQueue,
        workflowId,
        args: [input('SQ-returned')],
      });
      await waitForTask(client, workflowId, 'firstReview-1', sleep);
      await handle.signal(decisionSignal, { taskId: 'firstReview-1', decision: decision('return', '材料不清晰') });
      await sleep(1000);
      await handle.signal(resubmittedSignal);
      await waitForTask(client, workflowId, 'firstReview-2', sleep);
      // A late decision for the finished first task is ignored.
      await handle.signal(decisionSignal, { taskId: 'firstReview-1', decision: decision('reject', '迟到的结论') });
      await handle.signal(decisionSignal, { taskId: 'firstReview-2', decision: decision('approve') });
      await waitForTask(client, workflowId, 'secondReview-2', sleep);
      await handle.signal(decisionSignal, {
        taskId: 'secondReview-2',
        decision: decision('return', '单位名称请写全称'),
      });
      await sleep(1000);
      await handle.signal(resubmittedSignal);
      await waitForTask(client, workflowId, 'firstReview-3', sleep);
      await handle.signal(decisionSignal, { taskId: 'firstReview-3', decision: decision('approve') });
      await waitForTask(client, workflowId, 'secondReview-3', sleep);
      await handle.signal(decisionSignal, { taskId: 'secondReview-3', decision: decision('approve') });
      return { workflowId, result: await handle.result() };
    },
  },
  {
    name: 'rejected-at-second-review',
    async run(client, taskQueue, sleep) {
      const workflowId = `application-SQ-rejected-${Date.now()}`;
      const handle = await client.workflow.start('applicationReview', {
        taskQueue,
        workflowId,
        args: [input('SQ-rejected')],
      });
      await waitForTask(client, workflowId, 'firstReview-1', sleep);
      await handle.signal(decisionSignal, { taskId: 'firstReview-1', decision: decision('approve') });
      await waitForTask(client, workflowId, 'secondReview-1', sleep);
      await handle.signal(decisionSignal, { taskId: 'secondReview-1', decision: decision('reject', '不符合条件') });
      return { workflowId, result: await handle.result() };
    },
  },
];
