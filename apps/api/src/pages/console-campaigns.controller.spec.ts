import { campaignState, progressPercent } from './console-campaigns.controller';

// The dashboard's script repeats these two rules (templates/pages/console/campaign.hbs); the browser test
// (test/browser/campaign.test.ts) checks the script's bars as they move and the server's after a reload.
describe('campaign dashboard rules (R19)', () => {
  it('shows whole percents, and 100 only when no province can still have members to process', () => {
    expect(progressPercent({ processed: 1500, total: 2000 }, ['running', 'reminding'])).toBe(75);
    expect(progressPercent({ processed: 1999, total: 2000 }, ['running'])).toBe(99);
    // The last page is counted before the province reports that it is done.
    expect(progressPercent({ processed: 2000, total: 2000 }, ['running'])).toBe(99);
    expect(progressPercent({ processed: 2000, total: 2000 }, ['reminding', 'completed'])).toBe(100);
    expect(progressPercent({ processed: 0, total: 0 }, ['starting'])).toBe(0);
    // A province without active members has nothing left to do once it has started.
    expect(progressPercent({ processed: 0, total: 0 }, ['reminding'])).toBe(100);
  });

  it('derives the campaign state from its provinces', () => {
    expect(campaignState(['starting', 'running'])).toBe('starting');
    expect(campaignState(['running', 'waiting', 'reminding'])).toBe('running');
    expect(campaignState(['paused', 'paused', 'completed'])).toBe('paused');
    expect(campaignState(['waiting', 'reminding'])).toBe('waiting');
    expect(campaignState(['reminding', 'paused'])).toBe('reminding');
    expect(campaignState(['completed', 'cancelled'])).toBe('completed');
    expect(campaignState(['cancelled', 'cancelled'])).toBe('cancelled');
  });
});
