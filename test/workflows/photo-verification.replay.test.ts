/**
 * Replays recorded `photo-verification` histories (recorded once by test/workflows/fixtures/record-claim-histories.ts) against
 * the current workflow code, in the bundle production runs: a change that would break running claims after a
 * deploy (non-determinism) fails here. Patch or version the workflow instead.
 */
import { requireEnv } from '../support/env';
import { loadHistories, replayAll } from '../support/histories';
import { CLAIM_SCENARIOS } from './certificate-claim.scenarios';

jest.setTimeout(60_000);

const histories = loadHistories('photo-verification-');

it('has a recorded history of every scenario', () => {
  expect(histories.map((h) => h.file)).toEqual(CLAIM_SCENARIOS.map((s) => `photo-verification-${s.name}.json`).sort());
});

it('replays every recorded history without non-determinism', async () => {
  const results = await replayAll(requireEnv('WORKFLOW_BUNDLE_PATH'), histories);
  expect(results).toEqual(histories.map(({ workflowId }) => ({ workflowId, error: undefined })));
});
