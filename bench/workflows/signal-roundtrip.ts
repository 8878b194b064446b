/**
 * The baseline of bench/review.bench.ts: the least a Temporal workflow can do between a signal and an activity.
 * It waits for the `go` signal and then runs one activity, with the activity options of applicationReview, so
 * that "signal sent → activity running" measured on the same dev server is the floor under the review path
 * (API decision → signal → workflow → activities → task in the queue). Bundled on its own by the benchmark
 * (Worker.create with workflowsPath); not part of workflows/index.ts.
 */
import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';

export interface SignalRoundTripActivities {
  /** Runs in the benchmark process and timestamps the moment the activity starts. */
  reached(sequence: number): Promise<void>;
}

export const goSignal = defineSignal<[number]>('go');

const { reached } = proxyActivities<SignalRoundTripActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '1 minute' },
});

export async function signalThenActivity(): Promise<void> {
  let sequence: number | undefined;
  setHandler(goSignal, (n) => void (sequence = n));
  await condition(() => sequence !== undefined);
  await reached(sequence!);
}
