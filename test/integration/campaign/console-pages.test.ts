/**
 * The campaign pages of the console (R19, R11) where the browser test does not go: who may launch, pause and
 * schedule, what provincial staff see, Chinese validation messages on the launch form, "already launched", and the
 * CAMPAIGN_PAGE_SIZE setting reaching the workflow. Real API, Temporal dev server and PostgreSQL; no worker runs the
 * campaign (it is terminated at the end so that no later test file's worker picks it up).
 */
import { Client } from '@temporalio/client';
import type { StaffRole } from '@app/domain/roles';
import { createMember } from '../../factories/accounts';
import { staffSession } from '../certificates/support';
import { startApi, type Session, type TestApi } from '../../support/api';
import { terminateCampaign } from './support';

jest.setTimeout(60_000);

// One campaign per year, ever (the workflow id reuse policy): this file's year.
const YEAR = 2092;
const PAGE_SIZE = '123';

let api: TestApi;
let national: Session;

beforeAll(async () => {
  api = await startApi({ CAMPAIGN_PAGE_SIZE: PAGE_SIZE });
  national = await login('nationalAdmin', null);
});

afterAll(async () => {
  await terminateCampaign(api, YEAR);
  await api?.close();
});

async function login(role: StaffRole, province: string | null): Promise<Session> {
  return (await staffSession(api.baseUrl, api.dataSource, role, province)).session;
}

async function page(session: Session, path: string) {
  const response = await session.get(path);
  return { status: response.status, html: await response.text() };
}

/** A form post with repeated fields (the province checkboxes), as a browser sends it. */
async function post(session: Session, path: string, fields: [string, string][] = []) {
  const response = await session.request('POST', path, fields, true);
  return { status: response.status, html: await response.text(), location: response.headers.get('location') };
}

/** The field error shown next to an input. */
function fieldError(html: string, field: string): string | undefined {
  return new RegExp(`class="field-error" data-field="${field}">([^<]*)<`).exec(html)?.[1];
}

/** Rows of the dashboard's province table: code → [state, counts…]. */
function provinceRows(html: string): Record<string, string> {
  const rows: Record<string, string> = {};
  for (const m of html.matchAll(/<tr data-province="(\d{2})" data-state="(\w+)"/g)) rows[m[1]] = m[2];
  return rows;
}

async function auditActions(): Promise<{ action: string; detail: Record<string, unknown> }[]> {
  return api.dataSource.query(`SELECT action, detail FROM audit_events WHERE subject_id = $1 ORDER BY id`, [
    `campaign-${YEAR}`,
  ]);
}

const launchForm: [string, string][] = [
  ['year', String(YEAR)],
  ['provinceCodes', '11'],
  ['provinceCodes', '65'],
  ['claimDeadline', `${YEAR}-12-31`],
  ['reminderEveryDays', '7'],
];

it('R19: the launch form is for national administrators only, in Chinese, and refuses bad input before starting anything', async () => {
  const list = await page(national, '/console/campaigns');
  expect(list.status).toBe(200);
  expect(list.html).toContain('data-testid="launch-form"');
  // 32 province checkboxes and "全部", ticked by default.
  expect(list.html.match(/name="provinceCodes" value="\d{2}"/g)).toHaveLength(32);
  expect(list.html).toMatch(/name="allProvinces" value="on" checked/);

  const reviewer = await login('provincialReviewer', '11');
  const readOnly = await page(reviewer, '/console/campaigns');
  expect(readOnly.status).toBe(200);
  expect(readOnly.html).not.toContain('data-testid="launch-form"');
  for (const [role, province] of [
    ['provincialAdmin', '11'],
    ['nationalReviewer', null],
  ] as const) {
    const refused = await post(await login(role, province), '/console/campaigns', launchForm);
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('您没有执行此操作的权限');
  }

  const bad = await post(national, '/console/campaigns', [
    ['year', '二〇九二'],
    ['claimDeadline', '31.12.2092'],
    ['reminderEveryDays', '0'],
  ]);
  expect(bad.status).toBe(400);
  expect(bad.html).toContain('发起失败：填写的内容有误');
  expect(fieldError(bad.html, 'year')).toBe('年度应为整数');
  expect(fieldError(bad.html, 'claimDeadline')).toBe('截止日期格式应为 YYYY-MM-DD');
  expect(fieldError(bad.html, 'reminderEveryDays')).toBe('提醒间隔至少 1 天');
  // Neither "全部" nor a province ticked.
  expect(fieldError(bad.html, 'provinceCodes')).toBe('至少选择 1 个地方注协');
  // What was typed stays in the form.
  expect(bad.html).toContain('value="二〇九二"');

  const mixed = await post(national, '/console/campaigns', [...launchForm, ['allProvinces', 'on']]);
  expect(mixed.status).toBe(400);
  expect(fieldError(mixed.html, 'provinceCodes')).toContain('已选“全部”时请不要再勾选单个地方注协');
  expect(mixed.html).toMatch(/name="provinceCodes" value="65" checked/);
  expect(await auditActions()).toEqual([]);
});

it('R19: launching from the form starts the campaign with CAMPAIGN_PAGE_SIZE and leads to its dashboard; a second launch is refused clearly', async () => {
  const launched = await post(national, '/console/campaigns', launchForm);
  expect([launched.status, launched.location]).toEqual([303, `/console/campaigns/${YEAR}?ok=launched`]);

  const history = await api.app.get(Client).workflow.getHandle(`campaign-${YEAR}`).fetchHistory();
  const payload = history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0];
  expect(JSON.parse(Buffer.from(payload.data!).toString('utf8'))).toMatchObject({
    year: YEAR,
    provinceCodes: ['11', '65'],
    claimDeadline: `${YEAR}-12-31`,
    reminderEverySeconds: 7 * 86_400,
    pageSize: Number(PAGE_SIZE),
  });

  // No province has its progress row yet: the dashboard shows the launched provinces as starting.
  const dashboard = await page(national, launched.location!);
  expect(dashboard.status).toBe(200);
  expect(dashboard.html).toContain('年检换发已发起');
  expect(provinceRows(dashboard.html)).toEqual({ '11': 'starting', '65': 'starting' });
  expect(dashboard.html).toContain('data-testid="campaign-state" data-state="starting">正在启动<');

  const again = await post(national, '/console/campaigns', [
    ...launchForm.slice(0, 1),
    ['provinceCodes', '31'],
    ...launchForm.slice(3),
  ]);
  expect(again.status).toBe(409);
  expect(again.html).toContain(`${YEAR} 年度的年检换发已经发起过，不能重复发起。`);
  expect(again.html).toContain(`<a href="/console/campaigns/${YEAR}">查看 ${YEAR} 年度的进度</a>`);

  const list = await page(national, '/console/campaigns');
  expect(list.html).toMatch(new RegExp(`<tr data-year="${YEAR}">\\s*<td><a href="/console/campaigns/${YEAR}">`));
  expect((await auditActions()).map((e) => e.action)).toEqual(['campaign.launch']);
});

it('R19 R11: the dashboard by role and province; controls for national administrators, the own start date for provincial ones', async () => {
  for (const [code, status, total, processed] of [
    ['11', 'running', 10, 4],
    ['65', 'waiting', 0, 0],
  ] as const) {
    await api.dataSource.query(
      `INSERT INTO campaign_provinces (campaign_year, province_code, status, total, processed, inspected, workflow_id)
       VALUES ($1, $2, $3, $4, $5, $5, $6)`,
      [YEAR, code, status, total, processed, `campaign-${YEAR}-${code}`],
    );
  }
  // Xinjiang has not started (no total yet): the bars count its members as they are now.
  for (let i = 0; i < 3; i++) await createMember(api.dataSource, '65');
  const [{ members }] = await api.dataSource.query(
    `SELECT count(*)::int AS members FROM members WHERE province_code = '65' AND status = 'active'`,
  );
  const all = await page(national, `/console/campaigns/${YEAR}`);
  expect(provinceRows(all.html)).toEqual({ '11': 'running', '65': 'waiting' });
  expect(all.html).toContain(`data-province="65" data-state="waiting" data-members="${members}"`);
  expect(all.html).toContain(`data-count="total" data-value="0">约 ${members}<`);
  const overall = new RegExp(
    `aria-valuenow="${Math.floor(400 / (10 + members))}"[^>]*data-testid="campaign-progress" data-processed="4" data-total="${10 + members}"`,
  );
  expect(all.html).toMatch(overall);
  expect(all.html).toContain('data-controls="campaign"');
  expect(all.html.match(/data-controls="province"/g)).toHaveLength(2);
  expect(all.html).not.toContain('data-schedule="');

  // Provincial staff: their own province only, no controls; their administrator sets the start date.
  const beijingReviewer = await page(await login('provincialReviewer', '11'), `/console/campaigns/${YEAR}`);
  expect(provinceRows(beijingReviewer.html)).toEqual({ '11': 'running' });
  expect(beijingReviewer.html).not.toMatch(/data-controls="(campaign|province)"/);
  expect(beijingReviewer.html).not.toContain('data-schedule="');
  const xinjiangAdmin = await login('provincialAdmin', '65');
  const xinjiang = await page(xinjiangAdmin, `/console/campaigns/${YEAR}`);
  expect(provinceRows(xinjiang.html)).toEqual({ '65': 'waiting' });
  expect(xinjiang.html).toContain(
    `action="/console/campaigns/${YEAR}/provinces/65/schedule" class="decision" data-schedule="65"`,
  );

  // Not in the campaign, no such campaign, no such year.
  const shanghaiAdmin = await login('provincialAdmin', '31');
  expect((await page(shanghaiAdmin, `/console/campaigns/${YEAR}`)).status).toBe(404);
  expect((await page(shanghaiAdmin, '/console/campaigns')).html).not.toContain(`data-year="${YEAR}"`);
  const missing = await page(national, `/console/campaigns/${YEAR - 1}`);
  expect(missing.status).toBe(404);
  expect(missing.html).toContain(`未找到${YEAR - 1} 年度的年检换发`);
  expect((await page(national, '/console/campaigns/abc')).status).toBe(404);

  // Controls: national administrators only; a provincial administrator schedules their own province only.
  const beijingAdmin = await login('provincialAdmin', '11');
  expect((await post(beijingAdmin, `/console/campaigns/${YEAR}/pause`)).status).toBe(403);
  const otherProvince = await post(beijingAdmin, `/console/campaigns/${YEAR}/provinces/65/schedule`, [
    ['startsAt', `${YEAR}-03-01T09:00`],
  ]);
  expect(otherProvince.status).toBe(403);
  expect(otherProvince.html).toContain('不属于您所在的地方注协');

  const badDate = await post(xinjiangAdmin, `/console/campaigns/${YEAR}/provinces/65/schedule`, [
    ['startsAt', '下周一'],
  ]);
  expect(badDate.status).toBe(400);
  expect(fieldError(badDate.html, 'startsAt')).toContain('开始时间格式应为');
  const scheduled = await post(xinjiangAdmin, `/console/campaigns/${YEAR}/provinces/65/schedule`, [
    ['startsAt', `${YEAR}-03-01T09:00`],
  ]);
  expect([scheduled.status, scheduled.location]).toEqual([303, `/console/campaigns/${YEAR}?ok=scheduled`]);

  const badProvince = await post(national, `/console/campaigns/${YEAR}/pause`, [['provinceCode', '99']]);
  expect(badProvince.status).toBe(400);
  expect(badProvince.html).toContain('地方注协代码无效');
  const paused = await post(national, `/console/campaigns/${YEAR}/pause`, [['provinceCode', '65']]);
  expect([paused.status, paused.location]).toEqual([303, `/console/campaigns/${YEAR}?ok=paused`]);
  expect((await page(national, paused.location!)).html).toContain('已发出暂停指令');
  const cancelled = await post(national, `/console/campaigns/${YEAR}/cancel`);
  expect([cancelled.status, cancelled.location]).toEqual([303, `/console/campaigns/${YEAR}?ok=cancelled`]);

  const events = await auditActions();
  expect(events.map((e) => e.action)).toEqual([
    'campaign.launch',
    'campaign.schedule',
    'campaign.pause',
    'campaign.cancel',
  ]);
  expect(events[1].detail).toMatchObject({ provinceCode: '65', startsAt: `${YEAR}-03-01T09:00:00+08:00` });
});
