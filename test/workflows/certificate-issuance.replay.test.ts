/**
 * Replays recorded certificateIssuance histories (test/fixtures/histories/, recorded once by
 * test/workflows/fixtures/record-certificate-histories.ts) against the current workflow code:
 * a change that would make a running issuance non-deterministic after a deploy fails here.
 */
import { Worker } from '@temporalio/worker';
import { requireEnv } from '../support/env';
import { loadHistories } from '../support/histories';

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
  const histories = loaded.map(({ workflowId, history }) => ({ workflowId, history }));
  const results = [];
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: { codePath: requireEnv('WORKFLOW_BUNDLE_PATH') } },
    histories,
  )) {
    results.push(result);
  }
  expect(results).toHaveLength(files.length);
  for (const r of results)
    expect({ workflowId: r.workflowId, error: r.error?.message }).toEqual({
      workflowId: r.workflowId,
      error: undefined,
    });
});
