/**
 * The yearly campaign in a real browser (R19, R11, R12): a national administrator logs in, launches the campaign for
 * two provinces from the console and watches the dashboard's progress bar move (without a reload) while the worker
 * pages through 2,000 members 50 at a time (CAMPAIGN_PAGE_SIZE), then cancels it with the button. One member held
 * in a test transaction stops one province half-way, so the part-way bar is seen whatever the machine's speed.
 * Real API, worker, Temporal dev server, PostgreSQL and Chromium.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { Client } from '@temporalio/client';
import type { Browser, Page } from 'puppeteer-core';
import { createStaff, TEST_PASSWORD } from '../factories/accounts';
import { createMembersInBulk, type BulkMembersExpected } from '../factories/members';
import { startApi, type TestApi } from '../support/api';
import { attr, launchBrowser, submitAndWait, text } from '../support/browser';
import { startWorker } from '../support/worker';
import { terminateCampaign } from '../integration/campaign/support';

jest.setTimeout(300_000);

// One campaign per year, ever: this file's year.
const YEAR = 2093;
// Tianjin and Hebei: no other test file has members there, so the campaign counts exactly ours.
const PROVINCES = ['12', '13'];
const MEMBERS_PER_PROVINCE = 1000;
// 20 pages (transactions) per province: the bar has many steps to show.
const SETTINGS = { CAMPAIGN_PAGE_SIZE: '50' };
const COUNTS = ['total', 'processed', 'inspected', 'reissued', 'invited', 'claimed', 'failed', 'pending', 'voided'];

let api: TestApi;
let worker: INestApplicationContext | undefined;
let browser: Browser | undefined;
const expected: Record<string, BulkMembersExpected> = {};

beforeAll(async () => {
  [api, worker, browser] = await Promise.all([startApi(SETTINGS), startWorker(SETTINGS), launchBrowser()]);
  for (const code of PROVINCES) {
    expected[code] = (
      await createMembersInBulk(api.dataSource, code, MEMBERS_PER_PROVINCE, { inspectionYear: YEAR })
    ).expected;
  }
});

afterAll(async () => {
  await terminateCampaign(api, YEAR);
  await browser?.close();
  await worker?.close();
  await api?.close();
});

interface Row {
  provinceCode: string;
  status: string;
  counts: Record<string, number>;
}

async function databaseRows(): Promise<Row[]> {
  const rows: Record<string, unknown>[] = await api.dataSource.query(
    `SELECT * FROM campaign_provinces WHERE campaign_year = $1 ORDER BY province_code`,
    [YEAR],
  );
  return rows.map((r) => ({
    provinceCode: r.province_code as string,
    status: r.status as string,
    counts: Object.fromEntries(COUNTS.map((k) => [k, Number(r[k])])),
  }));
}

/** The dashboard's province table as the administrator sees it now. */
async function pageRows(page: Page): Promise<Row[]> {
  return page.$$eval('tr[data-province]', (trs) =>
    trs.map((tr) => ({
      provinceCode: tr.getAttribute('data-province')!,
      status: tr.getAttribute('data-state')!,
      counts: Object.fromEntries(
        [...tr.querySelectorAll('[data-count]')].map((td) => [
          td.getAttribute('data-count')!,
          Number(td.getAttribute('data-value')),
        ]),
      ),
    })),
  );
}

/** Polls `probe` every 100 ms for up to `seconds` (the worker moves on in the background). */
async function until(what: string, seconds: number, probe: () => Promise<boolean>): Promise<void> {
  for (const end = Date.now() + seconds * 1000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    if (await probe()) return;
  }
  throw new Error(`gave up waiting for ${what}`);
}

const barValue = async (page: Page, testId: string) =>
  Number(await attr(page, `[data-testid=${testId}]`, 'aria-valuenow'));

it('R19: launches from the console, the bar moves live to 100 %, the table matches the database, the button cancels', async () => {
  const admin = await createStaff(api.dataSource, 'nationalAdmin');
  const page = await (await browser!.createBrowserContext()).newPage();
  await page.goto(`${api.baseUrl}/login`);
  await page.type('input[name=username]', admin.username);
  await page.type('input[name=password]', TEST_PASSWORD);
  await submitAndWait(page, 'form[action="/login"] button[type=submit]');
  expect(new URL(page.url()).pathname).toBe('/console');

  await submitAndWait(page, 'nav a[href="/console/campaigns"]');
  expect(await text(page, 'h1')).toBe('年检换发');
  expect(await page.$eval('input[name=allProvinces]', (el) => el.checked)).toBe(true);
  await page.$eval('input[name=year]', (el) => (el.value = ''));
  await page.type('input[name=year]', String(YEAR));
  for (const code of PROVINCES) await page.click(`input[name=provinceCodes][value="${code}"]`);
  // Ticking a province clears “全部”: the campaign is for the ticked ones only.
  expect(await page.$eval('input[name=allProvinces]', (el) => el.checked)).toBe(false);
  // A date input takes its value as the browser's date picker would set it.
  await page.$eval('input[name=claimDeadline]', (el) => (el.value = '2099-12-31'));

  // Tianjin's 501st member (in id order, the campaign's paging order) is held in a transaction of our own, as a
  // concurrent change of that member would hold it: Tianjin stops at the page with that member, after 500 of its
  // 1,000 members, while Hebei runs through. So the bar is seen part-way (75 %) however fast this machine pages.
  const hold = api.dataSource.createQueryRunner();
  await hold.connect();
  await hold.startTransaction();
  try {
    // (The row is picked in a subquery: a locking clause beside OFFSET would also lock the 500 rows it skips.)
    await hold.query(
      `SELECT id FROM members
        WHERE id = (SELECT id FROM members WHERE province_code = $1 AND status = 'active' ORDER BY id OFFSET 500 LIMIT 1)
        FOR UPDATE`,
      [PROVINCES[0]],
    );
    const launched = await submitAndWait(page, '[data-testid=launch-form] button[type=submit]');
    expect(launched.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe(`/console/campaigns/${YEAR}`);
    expect(await text(page, '[data-flash]')).toContain('年检换发已发起');
    expect(await text(page, '[data-claim-deadline]')).toContain('2099-12-31');

    // Every value the page's script gives the overall bar, recorded in the page itself (a reload would lose them:
    // the bar moves without one). A string: the tests' TypeScript has no DOM types.
    await page.evaluate(`(() => {
      const bar = document.querySelector('[data-testid=campaign-progress]');
      const seen = (window.barValues = [Number(bar.getAttribute('aria-valuenow'))]);
      new MutationObserver(() => seen.push(Number(bar.getAttribute('aria-valuenow')))).observe(bar, {
        attributes: true,
        attributeFilter: ['aria-valuenow'],
      });
    })()`);
    await until('Hebei done and Tianjin half-way on the dashboard', 90, async () => {
      return (
        (await barValue(page, `province-progress-${PROVINCES[1]}`)) === 100 &&
        (await barValue(page, `province-progress-${PROVINCES[0]}`)) === 50
      );
    });
    expect(await barValue(page, 'campaign-progress')).toBe(75);
    expect(await text(page, '[data-overall=processed]')).toBe('1500');
    expect(await text(page, '[data-testid=campaign-state]')).toBe('进行中');
  } finally {
    await hold.commitTransaction();
    await hold.release();
  }
  await until('the overall bar at 100 %', 90, async () => (await barValue(page, 'campaign-progress')) === 100);
  const values = (await page.evaluate('window.barValues')) as number[];
  expect(values[0]).toBe(0);
  expect(values.some((v) => v > 0 && v < 100)).toBe(true);
  expect(values.at(-1)).toBe(100);

  // All members processed: the database has every count, and the page shows exactly those rows.
  const rows = await databaseRows();
  expect(rows.map((r) => [r.provinceCode, r.status])).toEqual(PROVINCES.map((code) => [code, 'reminding']));
  for (const row of rows) {
    const e = expected[row.provinceCode];
    expect(row.counts).toEqual({
      total: e.total,
      processed: e.total,
      inspected: e.inspected,
      reissued: 0,
      invited: e.invited,
      claimed: 0,
      failed: e.failed,
      pending: e.pending,
      voided: 0,
    });
  }
  expect(await pageRows(page)).toEqual(rows);
  expect(await text(page, '[data-overall=processed]')).toBe(String(PROVINCES.length * MEMBERS_PER_PROVINCE));
  expect(await text(page, '[data-testid=campaign-state]')).toBe('会员已处理完毕，等待会员申领');
  // The bar is right without the script too: the server renders the same value on a reload.
  await page.reload();
  expect(await attr(page, '[data-testid=campaign-progress]', 'aria-valuenow')).toBe('100');
  expect(await pageRows(page)).toEqual(rows);

  // Cancel the whole campaign with the button (after the confirmation dialog).
  page.once('dialog', (dialog) => void dialog.accept());
  const cancelled = await submitAndWait(page, '[data-controls=campaign] button[data-action=cancel]');
  expect(cancelled.status()).toBe(200);
  expect(await text(page, '[data-flash]')).toContain('已发出取消指令');
  await until('the cancelled state on the dashboard', 60, async () => {
    return (await text(page, '[data-testid=campaign-state]')) === '已取消';
  });
  expect(await page.$$eval('tr[data-province] [data-cell=state]', (tds) => tds.map((td) => td.textContent))).toEqual([
    '已取消',
    '已取消',
  ]);
  expect(await page.$eval('[data-controls=campaign]', (el) => el.getAttribute('hidden') !== null)).toBe(true);
  expect((await databaseRows()).map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
  const result = await api.app.get(Client).workflow.getHandle(`campaign-${YEAR}`).result();
  expect(result.provinces.map((p: { status: string }) => p.status)).toEqual(['cancelled', 'cancelled']);
});
