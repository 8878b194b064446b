/**
 * Replays recorded applicationReview histories (recorded once by
 * test/workflows/fixtures/record-application-histories.ts) against the current workflow
 * code, in the bundle production runs: a change that would break running reviews after a
 * deploy (non-determinism) fails here. Patch or version the workflow instead.
 */
import { requireEnv } from '../support/env';
import { loadHistories, replayAll } from '../support/histories';

jest.setTimeout(60_000);

const histories = loadHistories('application-review-');

it('has a recorded history of every scenario', () => {
  expect(histories.map((h) => h.file)).toEqual([
    'application-review-approved-after-reminders.json',
    'application-review-rejected-at-second-review.json',
    'application-review-returned-twice-then-approved.json',
  ]);
});

it('replays every recorded history without non-determinism', async () => {
  const results = await replayAll(requireEnv('WORKFLOW_BUNDLE_PATH'), histories);
  expect(results).toEqual(histories.map(({ workflowId }) => ({ workflowId, error: undefined })));
});
