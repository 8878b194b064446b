/**
 * Replays recorded certificateIssuance histories (test/fixtures/histories/, recorded once by
 * test/workflows/fixtures/record-certificate-histories.ts) against the current workflow code:
 * a change that would make a running issuance non-deterministic after a deploy fails here.
 */
import { requireEnv } from '../support/env';
import { loadHistories, replayAll } from '../support/histories';

jest.setTimeout(60_000);

const loaded = loadHistories('certificate-issuance-');
const files = loaded.map((h) => h.file);

it('has recorded histories of every scenario', () => {
  expect(files.sort()).toEqual([
    'certificate-issuance-issued.json',
    'certificate-issuance-renderRetried.json',
    'certificate-issuance-supersededOnArrival.json',
    'certificate-issuance-unprintable.json',
  ]);
});

it('replays every recorded history without non-determinism', async () => {
  const results = await replayAll(requireEnv('WORKFLOW_BUNDLE_PATH'), loaded);
  expect(results).toEqual(loaded.map(({ workflowId }) => ({ workflowId, error: undefined })));
});
