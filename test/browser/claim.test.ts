/**
 * Claiming the e-certificate in a real browser (R6, R7c, R8, R10, R14): a member who passed the exam before 2010 logs
 * in on a phone, replaces the initial password, opens 基本情况 → 下载会员证, sees why the exam photo is not offered,
 * picks on-site verification and is told what to bring and where; a reviewer of the member's province handles the
 * on-site task in the console with a JPEG upload; the member confirms the personal data and downloads the PDF; the
 * reviewer then reads the member's timeline. Real API, worker, Temporal dev server, PostgreSQL and Chromium.
 */
import type { INestApplicationContext } from '@nestjs/common';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { Member, Task } from '@app/persistence';
import { createMember, createStaff, TEST_PASSWORD } from '../factories/accounts';
import { startApi, type TestApi } from '../support/api';
import { eventually, launchBrowser, reloadUntil, submitAndWait, text } from '../support/browser';
import { startWorker } from '../support/worker';

jest.setTimeout(240_000);

// Chongqing: used by no other test file, so the reviewer's queue holds only this test's task.
const PROVINCE = '50';
const PHONE = { width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
// A real face: the on-site upload goes through the same photo checks (one face) as the member's own upload.
const VERIFIED_PHOTO = path.join(__dirname, '../fixtures/faces/grace-hopper.jpg');
const NEW_PASSWORD = 'Chongqing2024ok';

let api: TestApi;
let worker: INestApplicationContext | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  [api, worker, browser] = await Promise.all([startApi(), startWorker(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await api?.close();
});

async function newPage(viewport?: typeof PHONE): Promise<Page> {
  const context = await browser!.createBrowserContext();
  const page = await context.newPage();
  if (viewport) await page.setViewport(viewport);
  return page;
}

it('R7c, R8: on-site route chosen on a phone, checked by the institute in the console, data confirmed, PDF downloaded', async () => {
  const member = await createMember(api.dataSource, PROVINCE, {
    name: '渝小川',
    admissionRoute: 'exam',
    examPassYear: 2006,
    address: null,
    mustChangePassword: true,
  });

  // The member logs in on a phone and is sent to replace the initial password first (R6).
  const phone = await newPage(PHONE);
  await phone.goto(`${api.baseUrl}/member/login`);
  await phone.type('input[name=certificateNo]', member.certificateNo);
  await phone.type('input[name=password]', TEST_PASSWORD);
  await submitAndWait(phone, 'form button[type=submit]');
  if (new URL(phone.url()).pathname === '/member/password') {
    await phone.type('input[name=currentPassword]', TEST_PASSWORD);
    await phone.type('input[name=newPassword]', NEW_PASSWORD);
    await phone.type('input[name=confirmPassword]', NEW_PASSWORD);
    await submitAndWait(phone, 'form[action="/member/password"] button[type=submit]');
  }
  expect(new URL(phone.url()).pathname).toBe('/member');

  // 基本情况 → 下载会员证: the routes, the exam photo refused with the reason.
  expect(await text(phone, 'a[data-claim-link]')).toBe('下载会员证');
  await submitAndWait(phone, 'a[data-claim-link]');
  expect(new URL(phone.url()).pathname).toBe('/member/claim');
  expect(await phone.$eval('[data-claim-state]', (el) => el.getAttribute('data-claim-state'))).toBe('choose');
  expect(await phone.$eval('li[data-route=examPhoto]', (el) => el.getAttribute('data-available'))).toBe('false');
  const refusal = await text(phone, 'li[data-route=examPhoto]');
  expect(refusal).toContain('不可选');
  expect(refusal).toContain('2006 年全科合格');
  expect(await phone.$('li[data-route=examPhoto] a.button')).toBeNull();

  // On-site: exactly what to bring, and where.
  await submitAndWait(phone, 'li[data-route=onSite] a.button');
  expect(new URL(phone.url()).pathname).toBe('/member/claim/route/onSite');
  const checklist = await phone.$$eval('[data-checklist] li', (items) => items.map((li) => li.textContent ?? ''));
  expect(checklist.join('\n')).toMatch(/身份证原件[\s\S]*纸质非执业会员证原件（或注册会计师全科合格证原件）[\s\S]*JPG/);
  expect(await text(phone, '[data-institute]')).toBe('重庆市注册会计师协会');
  await submitAndWait(phone, 'form.start-form button[type=submit]');
  expect(new URL(phone.url()).pathname).toBe('/member/claim');
  expect(await text(phone, '.ok')).toContain('申领已提交');
  expect(await phone.$eval('[data-stage]', (el) => el.getAttribute('data-stage'))).toBe('photo');
  expect(await text(phone, '[data-next-step]')).toContain('重庆市注册会计师协会办理现场核验');
  expect(await phone.$('[data-checklist]')).not.toBeNull();
  expect(await phone.$('form.cancel-form')).not.toBeNull();

  // The reviewer of Chongqing handles the on-site task in the console, with the verified photo (R10).
  const task = await eventually('the on-site task', () =>
    api.dataSource.getRepository(Task).findOneBy({ subjectId: member.id, type: 'onSiteCheck', status: 'open' }),
  );
  const staff = await createStaff(api.dataSource, 'provincialReviewer', PROVINCE);
  const desk = await newPage();
  await desk.goto(`${api.baseUrl}/login`);
  await desk.type('input[name=username]', staff.username);
  await desk.type('input[name=password]', TEST_PASSWORD);
  await submitAndWait(desk, 'form[action="/login"] button[type=submit]');
  await desk.goto(`${api.baseUrl}/console/tasks?type=onSiteCheck`);
  expect(await text(desk, `tr[data-task-id="${task.id}"]`)).toContain('现场核验');
  await desk.goto(`${api.baseUrl}/console/tasks/${task.id}`);
  expect(await text(desk, '[data-on-site-member]')).toContain('渝小川');
  expect(await text(desk, '[data-on-site-member]')).toContain(member.certificateNo);
  expect((await desk.$$('[data-checklist] li')).length).toBe(3);
  await submitAndWait(desk, `form[action="/console/tasks/${task.id}/claim"] button`);
  expect(await text(desk, '.ok')).toContain('已认领');
  await desk.click('form.on-site-decision input[name=outcome][value=approve]');
  await (await desk.$('form.on-site-decision input[type=file][name=photo]'))!.uploadFile(VERIFIED_PHOTO);
  const decided = await submitAndWait(desk, 'form.on-site-decision button[type=submit]');
  expect(decided.status()).toBe(200);
  expect(new URL(desk.url()).pathname).toBe('/console/tasks');
  expect(await text(desk, '.ok')).toContain('现场核验结果已登记');

  // The member confirms the data: a wrong mobile first (Chinese message, nothing kept), then the right one.
  await reloadUntil(phone, `${api.baseUrl}/member/claim`, 'form.confirm-form');
  expect(await phone.$eval('[data-stage]', (el) => el.getAttribute('data-stage'))).toBe('confirm');
  expect(await text(phone, '[data-next-step]')).toContain('确认');
  expect(await phone.$eval('input[name=mobile]', (el) => el.value)).toBe(member.mobile);
  await phone.$eval('input[name=mobile]', (el) => (el.value = ''));
  await phone.type('input[name=mobile]', '12345');
  await phone.type('input[name=address]', '重庆市渝中区解放碑示例路 8 号');
  const refused = await submitAndWait(phone, 'form.confirm-form button[type=submit]');
  expect(refused.status()).toBe(400);
  expect(await text(phone, '[data-field=mobile]')).toContain('手机号码应为 11 位');
  expect(await phone.$eval('input[name=address]', (el) => el.value)).toBe('重庆市渝中区解放碑示例路 8 号');
  await phone.$eval('input[name=mobile]', (el) => (el.value = ''));
  await phone.type('input[name=mobile]', '13923456789');
  await submitAndWait(phone, 'form.confirm-form button[type=submit]');
  expect(await text(phone, '.ok')).toContain('个人信息已确认');

  // Issued: the page offers the PDF and the download is a PDF.
  await reloadUntil(phone, `${api.baseUrl}/member/claim`, 'a[data-download]');
  expect(await phone.$eval('[data-claim-state]', (el) => el.getAttribute('data-claim-state'))).toBe('issued');
  expect(await phone.$eval('a[data-download]', (a) => a.getAttribute('href'))).toBe('/member/certificate.pdf');
  const pdf = await phone.evaluate(async () => {
    const response = await fetch('/member/certificate.pdf');
    const bytes = new Uint8Array(await response.arrayBuffer());
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      head: String.fromCharCode(...bytes.slice(0, 5)),
    };
  });
  expect(pdf).toEqual({ status: 200, type: 'application/pdf', head: '%PDF-' });
  const saved = await api.dataSource.getRepository(Member).findOneByOrFail({ id: member.id });
  expect([saved.mobile, saved.address]).toEqual(['13923456789', '重庆市渝中区解放碑示例路 8 号']);

  // The reviewer answers a call: the member's history on one timeline, reached from the member list (R14).
  await desk.goto(`${api.baseUrl}/console/members?q=${member.certificateNo}`);
  await submitAndWait(desk, `a[href="/console/members/${member.certificateNo}"]`);
  const timeline = await desk.$$eval('[data-timeline] li', (items) => items.map((li) => li.textContent ?? ''));
  const joined = timeline.join('\n');
  for (const title of [
    '会员发起电子证书申领',
    '现场核验通过，已上传核验照片',
    '会员确认个人信息',
    '电子证书第 1 版已签发',
  ]) {
    expect(joined).toContain(title);
  }
  expect(joined).toContain('修改了：手机、地址');
});
