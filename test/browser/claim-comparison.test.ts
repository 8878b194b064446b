/**
 * Claiming the e-certificate in a real browser by photo comparison (R7b, R8): a member whose photo on file is one
 * photograph of a person logs in, opens 基本情况 → 下载会员证, chooses 上传照片远程比对, uploads another photograph of
 * the same person through the page's file input, follows the progress until the match lets the claim go on, confirms
 * the personal data and downloads the PDF. Real API (comparison available), worker with the offline comparison
 * provider (the real model on real face photographs), Temporal dev server, PostgreSQL and Chromium.
 *
 * This file starts its own API and worker, so the settings of the other browser tests are untouched.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'puppeteer-core';
import sharp from 'sharp';
import { FsBlobStore, Member, Photo, Task } from '@app/persistence';
import { createMember, TEST_PASSWORD } from '../factories/accounts';
import { startApi, type TestApi } from '../support/api';
import { attr, launchBrowser, reloadUntil, submitAndWait, text } from '../support/browser';
import { startWorker } from '../support/worker';

jest.setTimeout(240_000);

// Yunnan: used by no other test file.
const PROVINCE = '53';
const FACES = path.join(__dirname, '../fixtures/faces');
/** The member's photo on file (the comparison's reference) and the upload: two photographs of the same person. */
const REFERENCE = path.join(FACES, 'obama-1.jpg');
const UPLOAD = path.join(FACES, 'obama-2.jpg');
const COMPARISON = { PHOTO_COMPARISON_AVAILABLE: 'true', PHOTO_COMPARISON_PROVIDER: 'offline' };

let api: TestApi;
let worker: INestApplicationContext | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  [api, worker, browser] = await Promise.all([startApi(COMPARISON), startWorker(COMPARISON), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await api?.close();
});

/** A member who passed the exam before 2010 (no exam photo), with a verified photo on file. */
async function memberWithPhotoOnFile(): Promise<Member> {
  const member = await createMember(api.dataSource, PROVINCE, {
    name: '滇小明',
    admissionRoute: 'exam',
    examPassYear: 2005,
    address: null,
  });
  const reference = await readFile(REFERENCE);
  const { width, height } = await sharp(reference).metadata();
  const blobKey = await new FsBlobStore(api.config.storage.blobDir).put(reference, 'image/jpeg');
  await api.dataSource.getRepository(Photo).save({
    memberId: member.id,
    source: 'onSite',
    blobKey,
    contentType: 'image/jpeg',
    width,
    height,
    status: 'accepted',
    verifiedAt: new Date('2015-01-01'),
  });
  return member;
}

it('R7b, R8: comparison route in the browser: log in, choose, upload, match, confirm data, download the PDF', async () => {
  const member = await memberWithPhotoOnFile();

  // The member logs in.
  const page = await (await browser!.createBrowserContext()).newPage();
  await page.goto(`${api.baseUrl}/member/login`);
  await page.type('input[name=certificateNo]', member.certificateNo);
  await page.type('input[name=password]', TEST_PASSWORD);
  await submitAndWait(page, 'form button[type=submit]');
  expect(new URL(page.url()).pathname).toBe('/member');

  // 基本情况 → 下载会员证: comparison is offered (switched on), without the "not yet available" note.
  await submitAndWait(page, 'a[data-claim-link]');
  expect(new URL(page.url()).pathname).toBe('/member/claim');
  expect(await attr(page, '[data-claim-state]', 'data-claim-state')).toBe('choose');
  expect(await attr(page, 'li[data-route=comparison]', 'data-available')).toBe('true');
  expect(await text(page, 'li[data-route=comparison]')).not.toContain('尚未开通');

  // 照片比对: the upload form states the limits; the photo goes through the page's file input.
  await submitAndWait(page, 'li[data-route=comparison] a.button');
  expect(new URL(page.url()).pathname).toBe('/member/claim/route/comparison');
  expect(await text(page, 'h1')).toBe('上传照片远程比对');
  expect(await text(page, '[data-limits]')).toContain('JPG');
  await (await page.$('form.start-form input[type=file][name=photo]'))!.uploadFile(UPLOAD);
  const started = await submitAndWait(page, 'form.start-form button[type=submit]');
  expect(started.status()).toBe(200);
  expect(new URL(page.url()).pathname).toBe('/member/claim');
  expect(await text(page, '.ok')).toContain('申领已提交');
  expect(await attr(page, '[data-claim] [data-route]', 'data-route')).toBe('comparison');
  // The comparison runs in the background: still checking, or already through — never sent on site.
  expect(['photo', 'confirm']).toContain(await attr(page, '[data-stage]', 'data-stage'));
  expect(await page.$('[data-fallback]')).toBeNull();

  // The match: the claim moves on to the personal data, with no fallback to on-site verification.
  await reloadUntil(page, `${api.baseUrl}/member/claim`, 'form.confirm-form');
  expect(await attr(page, '[data-stage]', 'data-stage')).toBe('confirm');
  expect(await text(page, '[data-stage]')).toBe('待确认个人信息');
  expect(await text(page, '[data-next-step]')).toContain('照片已核验通过');
  expect(await page.$('[data-fallback]')).toBeNull();
  expect(await page.$('[data-checklist]')).toBeNull();

  // The member confirms the data: the mobile and email on file, the address added.
  expect(await page.$eval('input[name=mobile]', (el) => el.value)).toBe(member.mobile);
  expect(await page.$eval('input[name=email]', (el) => el.value)).toBe(member.email);
  await page.type('input[name=address]', '云南省昆明市五华区示例路 6 号');
  await submitAndWait(page, 'form.confirm-form button[type=submit]');
  expect(await text(page, '.ok')).toContain('个人信息已确认');

  // Issued: the page offers the PDF and the download is a PDF.
  await reloadUntil(page, `${api.baseUrl}/member/claim`, 'a[data-download]');
  expect(await attr(page, '[data-claim-state]', 'data-claim-state')).toBe('issued');
  expect(await attr(page, 'a[data-download]', 'href')).toBe('/member/certificate.pdf');
  const pdf = await page.evaluate(async () => {
    const response = await fetch('/member/certificate.pdf');
    const bytes = new Uint8Array(await response.arrayBuffer());
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      head: String.fromCharCode(...bytes.slice(0, 5)),
    };
  });
  expect(pdf).toEqual({ status: 200, type: 'application/pdf', head: '%PDF-' });

  // Matched by comparison: the uploaded photo is the certificate's, no institute task was needed.
  const photo = await api.dataSource
    .getRepository(Photo)
    .findOneByOrFail({ memberId: member.id, source: 'comparison' });
  expect(photo.status).toBe('accepted');
  expect(await api.dataSource.getRepository(Task).count({ where: { subjectId: member.id } })).toBe(0);
  const saved = await api.dataSource.getRepository(Member).findOneByOrFail({ id: member.id });
  expect(saved.address).toBe('云南省昆明市五华区示例路 6 号');
});
