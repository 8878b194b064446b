/**
 * Replays recorded inspectionCampaign / provinceCampaign histories (recorded once by
 * test/workflows/fixtures/record-campaign-histories.ts) against the current workflow code, in the bundle production
 * runs: the campaign, a province run that ended by continuing as new, and the province's last run (reminders, void),
 * recorded before the patch `campaign-rendering`, and the same after it with the campaign's renderer.
 * A change that would break running campaigns after a deploy (non-determinism) fails here.
 */
import { requireEnv } from '../support/env';
import { loadHistories, replayAll } from '../support/histories';

jest.setTimeout(60_000);

const histories = [
  ...loadHistories('inspection-campaign-'),
  ...loadHistories('province-campaign-'),
  ...loadHistories('campaign-rendering-'),
];

it('has recorded histories from before and after the campaign-rendering patch, incl. runs that continued as new', () => {
  expect(histories.map((h) => h.file)).toEqual([
    // Before the patch: no renderer.
    'inspection-campaign-two-provinces.json',
    // After it: the campaign with its renderer, and the renderer's first and last runs.
    'inspection-campaign-with-rendering.json',
    'province-campaign-continued-as-new.json',
    'province-campaign-last-run-voided.json',
    'province-campaign-rendering-continued-as-new.json',
    'campaign-rendering-continued-as-new.json',
    'campaign-rendering-last-run.json',
  ]);
});

it('replays every recorded history without non-determinism', async () => {
  const results = await replayAll(requireEnv('WORKFLOW_BUNDLE_PATH'), histories);
  expect(results).toEqual(histories.map(({ workflowId }) => ({ workflowId, error: undefined })));
});
