/**
 * Application and first review in a real browser (R3, R4, R5, R18): an applicant fills the
 * 非执业会员申请 form on a phone-sized screen, a provincial reviewer takes the task from the
 * work queue and approves it, and the applicant's progress query shows the outcome. Real
 * API, worker, Temporal dev server, PostgreSQL and Chromium.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { Application, Task } from '@app/persistence';
import { createStaff, TEST_PASSWORD } from '../factories/accounts';
import { jpeg, uniqueIdNumber } from '../factories/applications';
import { startApi, type TestApi } from '../support/api';
import { eventually, launchBrowser, submitAndWait, text } from '../support/browser';
import { startWorker } from '../support/worker';

jest.setTimeout(180_000);

// Hubei: used by no other test file, so the reviewer's "next task" can only be ours.
const PROVINCE = '42';
const PHONE = { width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

let api: TestApi;
let worker: INestApplicationContext | undefined;
let browser: Browser | undefined;
let dir: string;
let idCardFile: string;
let examCertificateFile: string;

beforeAll(async () => {
  [api, worker, browser] = await Promise.all([startApi(), startWorker(), launchBrowser()]);
  dir = mkdtempSync(path.join(tmpdir(), 'cicpa-browser-'));
  idCardFile = path.join(dir, 'id-card.jpg');
  examCertificateFile = path.join(dir, 'exam-certificate.jpg');
  writeFileSync(idCardFile, await jpeg());
  writeFileSync(examCertificateFile, await jpeg(320, 240));
});

afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await api?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A fresh, cookie-less browser context: applicant and reviewer never share a session. */
async function newPage(viewport?: typeof PHONE): Promise<Page> {
  const context = await browser!.createBrowserContext();
  const page = await context.newPage();
  if (viewport) await page.setViewport(viewport);
  return page;
}

async function fillApplication(page: Page, fields: Record<string, string>) {
  await page.goto(`${api.baseUrl}/apply`);
  for (const name of ['name', 'idNumber', 'mobile', 'email', 'address', 'examPassYear', 'examPassCertNo', 'employer']) {
    await page.type(`form.apply-form input[name=${name}]`, fields[name]);
  }
  // `education` names both the text field and the file input (as in the JSON API).
  await page.type('form.apply-form input[name=education]:not([type=file])', fields.education);
  await page.select('select[name=provinceCode]', fields.provinceCode);
  await page.click('input[name=admissionRoute][value=exam]');
  await (await page.$('input[type=file][name=idCard]'))!.uploadFile(idCardFile);
  await (await page.$('input[type=file][name=examCertificate]'))!.uploadFile(examCertificateFile);
  return submitAndWait(page, 'form.apply-form button[type=submit]');
}

function applicantFields(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    name: '楚天明',
    idNumber: uniqueIdNumber(),
    mobile: '13987654321',
    email: `browser-${randomUUID().slice(0, 8)}@example.com`,
    address: '湖北省武汉市武昌区中北路 1 号',
    provinceCode: PROVINCE,
    examPassYear: '2019',
    examPassCertNo: 'QK2019004242',
    education: '硕士研究生',
    employer: '湖北某会计师事务所',
    ...overrides,
  };
}

it('takes an application filled in the browser through the reviewer’s queue to the applicant’s progress page', async () => {
  // The applicant, on a phone.
  const applicant = await newPage(PHONE);
  const fields = applicantFields();
  const submitted = await fillApplication(applicant, fields);
  expect(submitted.status()).toBe(200);
  expect(await text(applicant, 'h1')).toBe('申请已提交');
  const applicationNo = await text(applicant, '[data-application-no]');
  expect(applicationNo).toMatch(/^SQ\d{14}$/);
  expect(await text(applicant, '.notice')).toContain('请妥善保存申请编号');
  expect(await applicant.$eval('a[href="/progress"]', (a) => a.textContent)).toBeTruthy();

  // The reviewer of that province, on a desktop screen.
  const staff = await createStaff(api.dataSource, 'provincialReviewer', PROVINCE);
  const reviewer = await newPage();
  await reviewer.goto(`${api.baseUrl}/login`);
  await reviewer.type('input[name=username]', staff.username);
  await reviewer.type('input[name=password]', TEST_PASSWORD);
  await submitAndWait(reviewer, 'form[action="/login"] button[type=submit]');
  expect(new URL(reviewer.url()).pathname).toBe('/console');
  expect(await reviewer.$('nav a[href="/console/tasks"]')).not.toBeNull();

  const application = await api.dataSource.getRepository(Application).findOneByOrFail({ applicationNo });
  const task = await eventually('the first-review task', () =>
    api.dataSource.getRepository(Task).findOneBy({ subjectId: application.id, type: 'firstReview', status: 'open' }),
  );
  await reviewer.goto(`${api.baseUrl}/console/tasks`);
  expect(await text(reviewer, `tr[data-task-id="${task.id}"]`)).toContain(applicationNo);

  const claimed = await submitAndWait(reviewer, 'form[action="/console/tasks/next"] button');
  expect(claimed.status()).toBe(200);
  expect(new URL(reviewer.url()).pathname).toBe(`/console/tasks/${task.id}`);
  expect(await text(reviewer, '.ok')).toContain('已认领');
  expect(await reviewer.$eval('[data-application-no]', (el) => el.getAttribute('data-application-no'))).toBe(
    applicationNo,
  );
  expect(await text(reviewer, '[data-application-no]')).toContain(fields.idNumber);
  const attachments = await reviewer.$$eval('.attachments a', (links) =>
    links.map((a) => ({ label: a.textContent, href: a.getAttribute('href') ?? '' })),
  );
  expect(attachments.map((a) => a.label).sort()).toEqual(['全科合格证', '身份证（正反面）']);
  // The attachment link streams the uploaded file itself.
  const file = await reviewer.evaluate(async (href) => {
    const response = await fetch(href);
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      bytes: (await response.arrayBuffer()).byteLength,
    };
  }, attachments[0].href);
  expect(file).toMatchObject({ status: 200, type: 'image/jpeg', bytes: expect.any(Number) });
  expect(file.bytes).toBeGreaterThan(0);

  await reviewer.click('input[name=outcome][value=approve]');
  const decided = await submitAndWait(reviewer, 'form.decision button[type=submit]');
  expect(decided.status()).toBe(200);
  expect(new URL(reviewer.url()).pathname).toBe('/console/tasks');
  expect(await text(reviewer, '.ok')).toContain('审核结论已提交');

  // Approval moves the application on to the national second review, in the workflow.
  await eventually('the second review', async () =>
    (await api.dataSource.getRepository(Application).findOneByOrFail({ applicationNo })).status === 'secondReview'
      ? true
      : null,
  );

  await applicant.goto(`${api.baseUrl}/progress`);
  await applicant.type('input[name=applicationNo]', applicationNo);
  await applicant.type('input[name=idNumber]', fields.idNumber);
  const progress = await submitAndWait(applicant, 'form[action="/progress"] button[type=submit]');
  expect(progress.status()).toBe(200);
  expect(await text(applicant, '[data-status]')).toBe('中注协复核中');
  const steps = await applicant.$$eval('.steps .step', (items) =>
    items.map((li) => ({
      at: li.querySelector('time')?.textContent ?? '',
      title: li.querySelector('.step-title')?.textContent ?? '',
      outcome: li.querySelector('.badge')?.textContent ?? null,
    })),
  );
  expect(steps.map((s) => [s.title, s.outcome])).toEqual([
    ['提交入会申请', null],
    ['进入初核', null],
    ['初核结论', '通过'],
    ['进入复核', null],
  ]);
  for (const step of steps) expect(step.at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
});

it('shows the Chinese message next to a bad ID number, keeps the other values and stores nothing', async () => {
  const applicant = await newPage(PHONE);
  const fields = applicantFields({ idNumber: '110105199001011234' });
  const response = await fillApplication(applicant, fields);

  expect(response.status()).toBe(400);
  expect(await text(applicant, '.field-error[data-field=idNumber]')).toBe('身份证号校验位或出生日期不正确，请核对');
  expect(await applicant.$eval('input[name=name]', (el) => el.value)).toBe(fields.name);
  expect(await applicant.$eval('input[name=email]', (el) => el.value)).toBe(fields.email);
  expect(await applicant.$eval('select[name=provinceCode]', (el) => el.value)).toBe(PROVINCE);
  expect(await applicant.$('.field-error[data-field=name]')).toBeNull();
  expect(await text(applicant, '.notice')).toContain('请重新选择');
  expect(await api.dataSource.getRepository(Application).countBy({ email: fields.email })).toBe(0);
});
