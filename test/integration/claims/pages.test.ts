/**
 * The claim pages on the real stack, for what the browser test (test/browser/claim.test.ts) does not reach: province
 * scope of the on-site task page and the member timeline page (R10, R14), refused forms that re-render in Chinese and
 * change nothing (R7b, R7c, R8), withdrawing from the page, and the route pages' guards.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AuditEvent, Member, Photo, Task } from '@app/persistence';
import { createMember } from '../../factories/accounts';
import { readJson, Session, startApi, type TestApi } from '../../support/api';
import { startWorker } from '../../support/worker';
import { memberSession, staffSession } from '../certificates/support';

jest.setTimeout(240_000);

// Sichuan, with Guizhou as "another province": used by no other test file.
const PROVINCE = '51';
const OTHER = '52';
const FACE = readFileSync(path.join(__dirname, '../../fixtures/faces/grace-hopper.jpg'));

let api: TestApi;
let worker: INestApplicationContext;

beforeAll(async () => {
  [api, worker] = await Promise.all([startApi(), startWorker()]);
});

afterAll(async () => {
  await worker?.close();
  await api?.close();
});

const cookieOf = (session: Session) => (session as unknown as { cookie: string }).cookie;

/** A multipart POST as the browser's form sends it. */
function postMultipart(session: Session, url: string, fields: Record<string, string>, photo?: Buffer) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (photo) form.append('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'photo.jpg');
  return fetch(api.baseUrl + url, {
    method: 'POST',
    body: form,
    headers: { cookie: cookieOf(session) },
    redirect: 'manual',
  });
}

async function waitFor<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** A member whose on-site claim has been started from the page, and its open task. */
async function onSiteClaim(overrides: Partial<Member> = {}) {
  const member = await createMember(api.dataSource, PROVINCE, { examPassYear: 2005, ...overrides });
  const session = await memberSession(api.baseUrl, member.certificateNo);
  const started = await postMultipart(session, '/member/claim/start', { route: 'onSite' });
  expect([started.status, started.headers.get('location')]).toEqual([303, '/member/claim?ok=started']);
  const task = (await waitFor(
    'the on-site task',
    () => api.dataSource.getRepository(Task).findOneBy({ subjectId: member.id, type: 'onSiteCheck', status: 'open' }),
    (t) => t !== null,
  ))!;
  return { member, session, task };
}

const stageOf = async (session: Session) => (await readJson(await session.get('/api/member/claim'))).claim?.stage;

it('R10, R14: staff of another province get 404 on the on-site task page and 403 on the member timeline page', async () => {
  const { member, task } = await onSiteClaim();
  const { session: own } = await staffSession(api.baseUrl, api.dataSource, 'provincialReviewer', PROVINCE);
  const { session: other } = await staffSession(api.baseUrl, api.dataSource, 'provincialReviewer', OTHER);

  const page = await own.get(`/console/tasks/${task.id}`);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain(member.certificateNo);
  expect(html).toContain('本人居民身份证原件');

  const refused = await other.get(`/console/tasks/${task.id}`);
  expect(refused.status).toBe(404);
  expect(await refused.text()).not.toContain(member.certificateNo);
  const decided = await postMultipart(
    other,
    `/console/tasks/${task.id}/on-site-decision`,
    { outcome: 'approve' },
    FACE,
  );
  expect(decided.status).toBe(404);

  expect((await own.get(`/console/members/${member.certificateNo}`)).status).toBe(200);
  const timeline = await other.get(`/console/members/${member.certificateNo}`);
  expect(timeline.status).toBe(403);
  expect(await timeline.text()).toContain('不属于您所在的地方注协');
  expect((await api.dataSource.getRepository(Task).findOneByOrFail({ id: task.id })).status).toBe('open');
});

it('R7c: an on-site rejection without a reason, or an approval without a photo, re-renders in Chinese and decides nothing', async () => {
  const { task } = await onSiteClaim();
  const { session: staff } = await staffSession(api.baseUrl, api.dataSource, 'provincialAdmin', PROVINCE);
  expect((await staff.post(`/console/tasks/${task.id}/claim`)).status).toBe(303);

  const noReason = await postMultipart(staff, `/console/tasks/${task.id}/on-site-decision`, { outcome: 'reject' });
  expect(noReason.status).toBe(400);
  expect(await noReason.text()).toContain('核验不通过时须填写原因');

  const noPhoto = await postMultipart(staff, `/console/tasks/${task.id}/on-site-decision`, { outcome: 'approve' });
  expect(noPhoto.status).toBe(400);
  const html = await noPhoto.text();
  expect(html).toContain('请上传证件照（JPG 格式）');
  // The form is shown again, with the outcome the reviewer chose.
  expect(html).toMatch(/value="approve" required checked/);

  expect((await api.dataSource.getRepository(Task).findOneByOrFail({ id: task.id })).status).toBe('claimed');
});

it('R8: a bad personal-data form re-renders with the Chinese messages and changes nothing; the member can withdraw', async () => {
  const { member, session, task } = await onSiteClaim();
  const { session: staff } = await staffSession(api.baseUrl, api.dataSource, 'provincialReviewer', PROVINCE);
  expect((await staff.post(`/console/tasks/${task.id}/claim`)).status).toBe(303);
  const approved = await postMultipart(
    staff,
    `/console/tasks/${task.id}/on-site-decision`,
    { outcome: 'approve' },
    FACE,
  );
  expect([approved.status, approved.headers.get('location')]).toEqual([303, '/console/tasks?ok=checked']);
  await waitFor(
    'the confirm stage',
    () => stageOf(session),
    (s) => s === 'confirm',
  );

  const bad = await session.postForm('/member/claim/confirm', {
    mobile: '12345',
    email: 'not-an-email',
    address: '成都',
  });
  expect(bad.status).toBe(400);
  const html = await bad.text();
  expect(html).toContain('手机号码应为 11 位中国大陆手机号');
  expect(html).toContain('电子邮箱格式不正确');
  expect(html).toContain('通讯地址应为 5–200 个字');
  // What the member typed stays in the form.
  expect(html).toContain('value="not-an-email"');
  const unchanged = await api.dataSource.getRepository(Member).findOneByOrFail({ id: member.id });
  expect([unchanged.mobile, unchanged.email, unchanged.address]).toEqual([member.mobile, member.email, member.address]);
  expect(
    await api.dataSource
      .getRepository(AuditEvent)
      .count({ where: { subjectId: member.id, action: 'member.data.confirm' } }),
  ).toBe(0);
  expect(await stageOf(session)).toBe('confirm');

  const cancelled = await session.post('/member/claim/cancel');
  expect([cancelled.status, cancelled.headers.get('location')]).toEqual([303, '/member/claim?ok=cancelled']);
  await waitFor(
    'the claim to end',
    () => stageOf(session),
    (s) => s === undefined,
  );
  const after = await (await session.get('/member/claim?ok=cancelled')).text();
  expect(after).toContain('申领已撤销');
  expect(after).toContain('data-claim-state="choose"');
  expect(after).toContain('上次申领：已撤销');
});

it('R7a, R7b: the route pages state the limits, refuse a bad upload in Chinese and store nothing', async () => {
  const member = await createMember(api.dataSource, PROVINCE, { examPassYear: 2005 });
  const session = await memberSession(api.baseUrl, member.certificateNo);

  const overview = await (await session.get('/member/claim')).text();
  expect(overview).toContain('您于 2005 年全科合格');
  // The exam photo is not offered, so its page does not start a claim either.
  const exam = await postMultipart(session, '/member/claim/start', { route: 'examPhoto' });
  expect(exam.status).toBe(422);
  expect(await exam.text()).toContain('2005 年全科合格');
  expect((await session.get('/member/claim/route/nothing')).status).toBe(404);

  const form = await (await session.get('/member/claim/route/comparison')).text();
  expect(form).toContain('JPG 格式，不超过 2 MB');
  expect(form).toContain('至少 240×320 像素');

  const notJpeg = await postMultipart(
    session,
    '/member/claim/start',
    { route: 'comparison' },
    Buffer.from('%PDF-1.4 %%EOF'),
  );
  expect(notJpeg.status).toBe(400);
  const html = await notJpeg.text();
  expect(html).toContain('data-field="photo"');
  expect(html).toContain('JPG');
  expect(await api.dataSource.getRepository(Photo).count({ where: { memberId: member.id } })).toBe(0);
  expect(await stageOf(session)).toBeUndefined();
});

it('a member with a claim running is sent from a route page back to the progress page', async () => {
  const { session } = await onSiteClaim();
  const again = await session.get('/member/claim/route/comparison');
  expect([again.status, again.headers.get('location')]).toEqual([303, '/member/claim']);
  const second = await postMultipart(session, '/member/claim/start', { route: 'onSite' });
  expect(second.status).toBe(409);
  const html = await second.text();
  expect(html).toContain('已有一项正在办理');
  expect(html).toContain('data-claim-state="photo"');
});
