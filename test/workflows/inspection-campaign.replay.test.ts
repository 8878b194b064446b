/**
 * Replays recorded inspectionCampaign / provinceCampaign histories (recorded once by
 * test/workflows/fixtures/record-campaign-histories.ts) against the current workflow code, in the bundle production
 * runs: the campaign, a province run that ended by continuing as new, and the province's last run (reminders, void).
 * A change that would break running campaigns after a deploy (non-determinism) fails here.
 */
import { requireEnv } from '../support/env';
import { loadHistories, replayAll } from '../support/histories';

jest.setTimeout(60_000);

const histories = [...loadHistories('inspection-campaign-'), ...loadHistories('province-campaign-')];

it('has a recorded history of the campaign and of both ends of a province that continued as new', () => {
  expect(histories.map((h) => h.file)).toEqual([
    'inspection-campaign-two-provinces.json',
    'province-campaign-continued-as-new.json',
    'province-campaign-last-run-voided.json',
  ]);
});

it('replays every recorded history without non-determinism', async () => {
  const results = await replayAll(requireEnv('WORKFLOW_BUNDLE_PATH'), histories);
  expect(results).toEqual(histories.map(({ workflowId }) => ({ workflowId, error: undefined })));
});
