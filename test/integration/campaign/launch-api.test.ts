/**
 * Launching the yearly campaign through the API (R19): national administrators only, one campaign per year, an
 * audit event, search attributes for the Temporal UI (R20); the progress rows scoped by province.
 */
import { Client } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '@app/temporal/names';
import { staffSession } from '../certificates/support';
import { readJson, startApi, type TestApi } from '../../support/api';
import { terminateCampaign } from './support';

jest.setTimeout(60_000);

let api: TestApi;
const YEAR = 2099;

beforeAll(async () => {
  api = await startApi();
});

afterAll(async () => {
  // No worker runs this campaign here; terminate it so no later test file's worker picks it up.
  await terminateCampaign(api, YEAR);
  await api?.close();
});

it('R19: only a national administrator launches, once per year, with an audit event and search attributes', async () => {
  const body = { year: YEAR, provinceCodes: ['65'], claimDeadline: '2099-12-31', reminderEveryDays: 7 };
  for (const [role, province] of [
    ['provincialAdmin', '11'],
    ['nationalReviewer', null],
  ] as const) {
    const { session } = await staffSession(api.baseUrl, api.dataSource, role, province);
    expect((await session.post('/api/campaigns', body)).status).toBe(403);
  }
  const { session } = await staffSession(api.baseUrl, api.dataSource, 'nationalAdmin', null);
  const invalid = await session.post('/api/campaigns', { ...body, provinceCodes: ['99'], claimDeadline: '31.12.2099' });
  expect(invalid.status).toBe(400);

  const launched = await session.post('/api/campaigns', body);
  expect(launched.status).toBe(202);
  expect(await readJson(launched)).toEqual({ year: YEAR, workflowId: `campaign-${YEAR}`, provinceCodes: ['65'] });

  const again = await session.post('/api/campaigns', { ...body, provinceCodes: ['11'] });
  expect(again.status).toBe(409);
  expect(await readJson(again)).toMatchObject({ code: 'CAMPAIGN_EXISTS' });

  const described = await api.app.get(Client).workflow.getHandle(`campaign-${YEAR}`).describe();
  expect(described.type).toBe('inspectionCampaign');
  expect(described.typedSearchAttributes.get(SEARCH_ATTRIBUTES.campaignYear)).toBe(YEAR);
  expect(described.typedSearchAttributes.get(SEARCH_ATTRIBUTES.province)).toBe('national');
  const [{ n }] = await api.dataSource.query(
    `SELECT count(*)::int AS n FROM audit_events WHERE action = 'campaign.launch' AND subject_id = $1`,
    [`campaign-${YEAR}`],
  );
  expect(n).toBe(1);
});

it('R19 R11: pause / resume / cancel (national administrators) and a province schedule reach the campaign', async () => {
  const client = api.app.get(Client);
  const national = (await staffSession(api.baseUrl, api.dataSource, 'nationalAdmin', null)).session;
  const beijingAdmin = (await staffSession(api.baseUrl, api.dataSource, 'provincialAdmin', '11')).session;
  const xinjiangAdmin = (await staffSession(api.baseUrl, api.dataSource, 'provincialAdmin', '65')).session;
  expect((await beijingAdmin.post(`/api/campaigns/${YEAR}/pause`, {})).status).toBe(403);
  expect((await national.post(`/api/campaigns/${YEAR}/pause`, { provinceCode: '65' })).status).toBe(200);
  expect((await national.post(`/api/campaigns/${YEAR}/resume`, {})).status).toBe(200);
  const startsAt = '2099-03-01T00:00:00+08:00';
  // Beijing's administrator may not schedule Xinjiang; Xinjiang's may.
  expect((await beijingAdmin.post(`/api/campaigns/${YEAR}/provinces/65/schedule`, { startsAt })).status).toBe(403);
  expect((await xinjiangAdmin.post(`/api/campaigns/${YEAR}/provinces/65/schedule`, { startsAt })).status).toBe(200);
  expect((await national.post(`/api/campaigns/${YEAR}/cancel`, {})).status).toBe(200);
  expect((await national.post(`/api/campaigns/2097/cancel`, {})).status).toBe(404);

  const history = await client.workflow.getHandle(`campaign-${YEAR}`).fetchHistory();
  const signals = (history.events ?? [])
    .map((e) => e.workflowExecutionSignaledEventAttributes?.signalName)
    .filter((name): name is string => !!name);
  expect(signals).toEqual(['pause', 'resume', 'scheduleChanged', 'cancel']);
  const actions: { action: string }[] = await api.dataSource.query(
    `SELECT action FROM audit_events WHERE subject_id = $1 ORDER BY id`,
    [`campaign-${YEAR}`],
  );
  expect(actions.map((a) => a.action)).toEqual([
    'campaign.launch',
    'campaign.pause',
    'campaign.resume',
    'campaign.schedule',
    'campaign.cancel',
  ]);
});

it('R19: the progress rows, all for national staff, the own province only for provincial staff', async () => {
  const year = 2098;
  for (const code of ['11', '65']) {
    await api.dataSource.query(
      `INSERT INTO campaign_provinces (campaign_year, province_code, status, total, processed, workflow_id)
       VALUES ($1, $2, 'running', 10, 4, $3)`,
      [year, code, `campaign-${year}-${code}`],
    );
  }
  const national = (await staffSession(api.baseUrl, api.dataSource, 'nationalReviewer', null)).session;
  const all = await readJson(await national.get(`/api/campaigns/${year}`));
  expect(all.provinces.map((p: { provinceCode: string }) => p.provinceCode)).toEqual(['11', '65']);
  expect(all.provinces[0]).toMatchObject({ status: 'running', total: 10, processed: 4 });
  const beijing = (await staffSession(api.baseUrl, api.dataSource, 'provincialReviewer', '11')).session;
  const own = await readJson(await beijing.get(`/api/campaigns/${year}`));
  expect(own.provinces.map((p: { provinceCode: string }) => p.provinceCode)).toEqual(['11']);
  expect((await national.get('/api/campaigns/2097')).status).toBe(404);
});
