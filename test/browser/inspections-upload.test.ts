/**
 * Uploading a large inspection file in a real browser (R13: "progress shown for large files"): a provincial
 * administrator previews and imports a 20,000-row CSV on /console/inspections; the page's script sends it through
 * XMLHttpRequest, a <progress> bar counts the bytes sent (the upload is throttled so that it takes a while), then says
 * the server is checking, and the answer replaces the page without a navigation. With JavaScript off the same form
 * posts as a plain form. Jilin (22): the follow-up test also has members there, but none of this file's.
 * Real API, PostgreSQL and Chromium.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { createStaff, TEST_PASSWORD } from '../factories/accounts';
import { createMembersInBulk } from '../factories/members';
import { startApi, type TestApi } from '../support/api';
import { launchBrowser, submitAndWait, text } from '../support/browser';

jest.setTimeout(180_000);

const PROVINCE = '22';
const ROWS = 20_000;
const YEAR = 2023;
/** Bytes per second the browser may send: the ≈ 0.8 MB file takes about two seconds, so the bar has steps to show. */
const UPLOAD_BYTES_PER_SECOND = 400 * 1024;

let api: TestApi;
let browser: Browser | undefined;
let dir: string;
let file: string;
let username: string;
let memberIds: string[];

beforeAll(async () => {
  [api, browser] = await Promise.all([startApi(), launchBrowser()]);
  // No results on file yet: the whole file is new.
  memberIds = (
    await createMembersInBulk(api.dataSource, PROVINCE, ROWS, { inspectionYear: YEAR, inspection: () => 'missing' })
  ).ids;
  const numbers: { certificate_no: string }[] = await api.dataSource.query(
    `SELECT certificate_no FROM members WHERE id = ANY($1::uuid[]) ORDER BY certificate_no`,
    [memberIds],
  );
  const lines = [
    '证书编号,年度,结果,通过日期,备注',
    ...numbers.map((m) => `${m.certificate_no},${YEAR},通过,${YEAR}-06-30,`),
  ];
  dir = await mkdtemp(path.join(tmpdir(), 'inspections-upload-'));
  file = path.join(dir, '吉林-2023年检结果.csv');
  await writeFile(file, '\uFEFF' + lines.join('\r\n') + '\r\n', 'utf8');
  username = (await createStaff(api.dataSource, 'provincialAdmin', PROVINCE)).username;
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function loggedIn(javaScript: boolean): Promise<Page> {
  const page = await (await browser!.createBrowserContext()).newPage();
  await page.setJavaScriptEnabled(javaScript);
  await page.goto(`${api.baseUrl}/login`);
  await page.type('input[name=username]', username);
  await page.type('input[name=password]', TEST_PASSWORD);
  await submitAndWait(page, 'form[action="/login"] button[type=submit]');
  await page.goto(`${api.baseUrl}/console/inspections`);
  return page;
}

interface Seen {
  phase: string | null;
  value: string | null;
  max: number;
  label: string;
}

/**
 * Records every state of the progress box while the upload runs (it is gone once the answer replaces the page). A
 * script text: this project compiles without the DOM library.
 */
const WATCH_PROGRESS = `(() => {
  const seen = (window.seen = []);
  new MutationObserver(() => {
    const box = document.querySelector('[data-upload-progress]');
    if (!box) return;
    const bar = box.querySelector('progress');
    seen.push({
      phase: box.getAttribute('data-upload-progress'),
      value: bar ? bar.getAttribute('value') : null,
      max: bar ? bar.max : 0,
      label: box.textContent.trim(),
    });
  }).observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
})()`;

const seenOf = (page: Page) => page.evaluate('window.seen') as Promise<Seen[]>;

async function stored(): Promise<number> {
  const [{ n }] = await api.dataSource.query(
    `SELECT count(*)::int AS n FROM inspections WHERE member_id = ANY($1::uuid[]) AND year = $2`,
    [memberIds, YEAR],
  );
  return n;
}

it('R13: a 20,000-row file shows upload progress, then "checking", then the dry run; the import likewise', async () => {
  const page = await loggedIn(true);
  const cdp = await page.createCDPSession();
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: UPLOAD_BYTES_PER_SECOND,
  });
  await page.evaluate(WATCH_PROGRESS);
  await (await page.$('form[data-upload-form] input[type=file]'))!.uploadFile(file);
  let navigated = false;
  page.on('framenavigated', () => (navigated = true));
  await page.click('form[data-upload-form] button[type=submit]');
  await page.waitForSelector('[data-preview]', { timeout: 60_000 });

  // The answer replaced the page in place: no navigation, the address is still the console page.
  expect(navigated).toBe(false);
  expect(new URL(page.url()).pathname).toBe('/console/inspections');
  expect(await page.$('[data-upload-progress]')).toBeNull();
  expect(await text(page, '[data-rows]')).toBe(String(ROWS));
  expect(await text(page, '[data-problem-count]')).toBe('0');
  expect(await text(page, '[data-insert]')).toBe(String(ROWS));

  const seen = await seenOf(page);
  const uploading = seen.filter((s) => s.phase === 'uploading' && s.value !== null);
  const size = uploading.at(-1)!.max;
  expect(size).toBeGreaterThan(700_000);
  // Bytes sent part-way, growing, then all of them; then the "checking" state with an indeterminate bar.
  expect(uploading.some((s) => Number(s.value) > 0 && Number(s.value) < size)).toBe(true);
  const values = uploading.map((s) => Number(s.value));
  expect(values).toEqual([...values].sort((a, b) => a - b));
  expect(uploading.some((s) => /正在上传 \d+ KB \/ \d+ KB（\d+%）/.test(s.label))).toBe(true);
  expect(seen.some((s) => s.phase === 'processing' && s.value === null && s.label === '上传完成，正在校验…')).toBe(
    true,
  );
  expect(await stored()).toBe(0);

  // The confirm form of the replaced page is enhanced too: the same file again, imported with the same progress.
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: UPLOAD_BYTES_PER_SECOND * 4,
  });
  await page.evaluate('window.seen.length = 0');
  await (await page.$('form[data-confirm-form] input[type=file]'))!.uploadFile(file);
  await page.click('form[data-confirm-form] button[type=submit]');
  await page.waitForSelector('[data-uploaded]', { timeout: 60_000 });
  expect(navigated).toBe(false);
  expect(await text(page, '[data-uploaded] [data-insert]')).toBe(String(ROWS));
  expect((await seenOf(page)).some((s) => s.phase === 'processing' && s.label === '上传完成，正在校验并导入…')).toBe(
    true,
  );
  expect(await stored()).toBe(ROWS);
});

it('R13: without JavaScript the form posts as a plain form and shows the same dry run', async () => {
  const page = await loggedIn(false);
  await (await page.$('form[data-upload-form] input[type=file]'))!.uploadFile(file);
  const response = await submitAndWait(page, 'form[data-upload-form] button[type=submit]');
  expect(response.status()).toBe(200);
  expect(new URL(page.url()).pathname).toBe('/console/inspections/upload');
  expect(await page.$('[data-upload-progress]')).toBeNull();
  expect(await text(page, '[data-rows]')).toBe(String(ROWS));
  // Imported by the first test: every row is unchanged now.
  expect(await text(page, '[data-preview] [data-unchanged]')).toBe(String(ROWS));
});
