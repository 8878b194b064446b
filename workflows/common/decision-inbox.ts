/**
 * The human-decision wait shared by every workflow that opens a task in the staff work
 * queue (DESIGN.md, "Human decisions"): an activity opens the task, the workflow waits for
 * the `decision` signal carrying that task's id, and reminds whoever owns the queue each
 * time the wait outlasts `remindEvery`. Decisions for tasks the workflow is not waiting on
 * are kept but never returned, so a late or duplicate signal changes nothing.
 */
import type { Duration } from '@temporalio/common';
import { condition, defineSignal } from '@temporalio/workflow';

export interface TaskDecisionSignal<D = unknown> {
  readonly taskId: string;
  readonly decision: D;
}

/** Sent by the API after it has recorded a staff decision and its audit event. */
export const decisionSignal = defineSignal<[TaskDecisionSignal]>('decision');

export interface WaitOptions {
  /** How long a task may wait before each reminder. */
  readonly remindEvery: Duration;
  /** Called with 1, 2, 3… each time `remindEvery` passes without a decision. */
  readonly onOverdue?: (reminder: number) => Promise<void>;
}

export class DecisionInbox {
  private readonly received = new Map<string, unknown>();

  /** Signal handler body: the first decision per task wins. */
  deliver(signal: TaskDecisionSignal): void {
    if (!this.received.has(signal.taskId)) this.received.set(signal.taskId, signal.decision);
  }

  has(taskId: string): boolean {
    return this.received.has(taskId);
  }

  async waitFor<D>(taskId: string, options: WaitOptions): Promise<D> {
    for (let reminder = 1; ; reminder++) {
      if (await condition(() => this.received.has(taskId), options.remindEvery)) {
        return this.received.get(taskId) as D;
      }
      await options.onOverdue?.(reminder);
    }
  }
}
