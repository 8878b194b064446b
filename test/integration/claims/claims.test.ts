/**
 * The member's e-certificate claim on the real stack (R6–R8, R7a–c, R10, R14, R17): API + worker + Temporal dev
 * server + PostgreSQL + Chromium. The photo-comparison provider is a fake whose verdict the test picks by the
 * uploaded photo's width, so every comparison outcome (and a provider slower than the timeout) can be driven.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import sharp from 'sharp';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@app/config';
import { PHOTO_COMPARISON_PROVIDER, type PhotoComparisonProvider } from '@app/activities/photos/photo-ports';
import { AuditEvent, Certificate, ExamPhoto, FsBlobStore, Member, Photo, Task } from '@app/persistence';
import { createApiApp } from '../../../apps/api/src/app.factory';
import { WorkerModule } from '../../../apps/worker/src/worker.module';
import { createMember } from '../../factories/accounts';
import { readJson, Session, testConfig } from '../../support/api';
import { memberSession, staffSession, testPhoto } from '../certificates/support';

jest.setTimeout(240_000);

const VERDICTS: Record<number, 'match' | 'noMatch' | 'noFace' | 'slow'> = {
  301: 'match',
  302: 'noMatch',
  303: 'noFace',
  304: 'slow',
};

const fakeProvider: PhotoComparisonProvider = {
  async compare(_reference, candidate, { signal }) {
    const verdict = VERDICTS[(await sharp(candidate).metadata()).width ?? 0] ?? 'noMatch';
    if (verdict === 'slow') {
      await new Promise((resolve) => signal?.addEventListener('abort', resolve));
      throw new Error('aborted');
    }
    return { outcome: verdict, score: verdict === 'match' ? 0.9 : 0.2, threshold: 0.6, provider: 'fake' };
  },
};

interface Api {
  baseUrl: string;
  close(): Promise<void>;
}
let api: Api;
let apiOff: Api;
let ds: DataSource;
let config: AppConfig;
let worker: INestApplicationContext;

async function startApiWith(photo: Record<string, unknown>): Promise<Api & { ds: DataSource }> {
  const app = await createApiApp({ ...config, photo } as AppConfig);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { baseUrl: `http://127.0.0.1:${port}`, close: () => app.close(), ds: app.get(DataSource) };
}

async function startFakeWorker(): Promise<INestApplicationContext> {
  const module = await Test.createTestingModule({ imports: [WorkerModule.forRoot(config)] })
    .overrideProvider(PHOTO_COMPARISON_PROVIDER)
    .useValue(fakeProvider)
    .compile();
  module.useLogger(['error']);
  await module.init();
  return module;
}

beforeAll(async () => {
  config = testConfig();
  const on = await startApiWith({ comparisonAvailable: true, timeoutSeconds: 3, maxBytes: 2 * 1024 * 1024 });
  api = on;
  ds = on.ds;
  apiOff = await startApiWith({ comparisonAvailable: false, timeoutSeconds: 3, maxBytes: 2 * 1024 * 1024 });
  worker = await startFakeWorker();
});

afterAll(async () => {
  await worker?.close();
  await Promise.allSettled([api?.close(), apiOff?.close()]);
});

const jpegOfWidth = (width: number, height = 400) =>
  sharp({
    create: { width, height, channels: 3, background: '#8899aa', noise: { type: 'gaussian', mean: 128, sigma: 20 } },
  })
    .jpeg()
    .toBuffer();

/** A member with a photo on file (the reference for comparison) and, for exam ≥ 2010, the exam system's photo. */
async function member(overrides: Partial<Member> = {}, province = '11', examPhoto = false) {
  const m = await createMember(ds, province, { admissionRoute: 'exam', examPassYear: 2005, ...overrides });
  const blobs = new FsBlobStore(config.storage.blobDir);
  const key = await blobs.put(await testPhoto(), 'image/jpeg');
  if (examPhoto) await ds.getRepository(ExamPhoto).save({ memberId: m.id, blobKey: key, examYear: m.examPassYear! });
  else {
    await ds.getRepository(Photo).save({
      memberId: m.id,
      source: 'onSite',
      blobKey: key,
      contentType: 'image/jpeg',
      width: 300,
      height: 400,
      status: 'accepted',
      verifiedAt: new Date('2015-01-01'),
    });
  }
  return m;
}

function claimForm(route: string, photo?: Buffer, name = 'photo.jpg') {
  const form = new FormData();
  form.append('route', route);
  if (photo) form.append('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), name);
  return form;
}

async function startClaim(session: Session, baseUrl: string, route: string, photo?: Buffer) {
  return fetch(`${baseUrl}/api/member/claim`, {
    method: 'POST',
    body: claimForm(route, photo),
    headers: { cookie: (session as unknown as { cookie: string }).cookie },
  });
}

async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const status = async (session: Session) => readJson(await session.get('/api/member/claim'));

/** Confirms the data once the claim waits for it, then waits for the active certificate. */
async function confirmAndIssue(session: Session, m: Member) {
  await waitFor(
    () => status(session),
    (s) => s.claim?.stage === 'confirm',
    'confirm stage',
  );
  const confirm = await session.post('/api/member/claim/confirm', {
    mobile: '13912345678',
    email: 'new@example.com',
    address: '北京市东城区示例路 1 号',
  });
  expect(confirm.status).toBe(200);
  const done = await waitFor(
    () => status(session),
    (s) => s.certificate !== null && s.claim === null,
    'certificate',
  );
  expect(done.lastOutcome).toMatchObject({ stage: 'issued' });
  const cert = await ds
    .getRepository(Certificate)
    .findOneByOrFail({ certificateNo: m.certificateNo, status: 'active' });
  expect(cert.version).toBe(1);
  expect((await ds.getRepository(Member).findOneByOrFail({ id: m.id })).mobile).toBe('13912345678');
  const pdf = await session.get('/member/certificate.pdf');
  expect(pdf.status).toBe(200);
}

async function onSiteTask(m: Member): Promise<Task> {
  return waitFor(
    async () => ds.getRepository(Task).findOne({ where: { subjectId: m.id, type: 'onSiteCheck', status: 'open' } }),
    (t) => t !== null,
    'on-site task',
  ) as Promise<Task>;
}

async function staffApprovesWithUpload(staff: Session, baseUrl: string, task: Task) {
  expect((await staff.post(`/api/tasks/${task.id}/claim`)).status).toBe(200);
  // The generic decision endpoint refuses: an on-site check needs the photo.
  expect((await staff.post(`/api/tasks/${task.id}/decision`, { outcome: 'approve' })).status).toBe(409);
  const form = new FormData();
  form.append('outcome', 'approve');
  form.append('photo', new Blob([new Uint8Array(await jpegOfWidth(360, 480))], { type: 'image/jpeg' }), 'onsite.jpg');
  const response = await fetch(`${baseUrl}/api/claims/on-site/${task.id}/decision`, {
    method: 'POST',
    body: form,
    headers: { cookie: (staff as unknown as { cookie: string }).cookie },
  });
  expect([response.status, (await readJson(response)).status]).toEqual([200, 'done']);
}

it('R7a: a member who passed the exam in 2010 or later gets a certificate without any staff action', async () => {
  const m = await member({ examPassYear: 2015 }, '11', true);
  const session = await memberSession(api.baseUrl, m.certificateNo);
  const s = await status(session);
  expect(s.routes.find((r: { route: string }) => r.route === 'examPhoto')).toMatchObject({
    available: true,
    note: null,
  });
  expect((await session.get('/api/member/claim/exam-photo')).status).toBe(200);
  expect((await startClaim(session, api.baseUrl, 'examPhoto')).status).toBe(202);
  await confirmAndIssue(session, m);
  expect(await ds.getRepository(Task).count({ where: { subjectId: m.id } })).toBe(0);
  const photo = await ds.getRepository(Photo).findOneByOrFail({ memberId: m.id, source: 'examPhoto' });
  expect(photo.status).toBe('accepted');
});

it('R7a: a member who passed before 2010 is refused the exam-photo route with the reason', async () => {
  const m = await member({ examPassYear: 2005 });
  const session = await memberSession(api.baseUrl, m.certificateNo);
  const route = (await status(session)).routes.find((r: { route: string }) => r.route === 'examPhoto');
  expect(route).toMatchObject({ available: false, note: expect.stringContaining('2010') });
  const response = await startClaim(session, api.baseUrl, 'examPhoto');
  expect(response.status).toBe(422);
  expect((await readJson(response)).message).toContain('2005 年全科合格');
});

it('R7b: a matching comparison leads to a certificate', async () => {
  const m = await member();
  const session = await memberSession(api.baseUrl, m.certificateNo);
  expect((await startClaim(session, api.baseUrl, 'comparison', await jpegOfWidth(301))).status).toBe(202);
  await confirmAndIssue(session, m);
  expect(await ds.getRepository(Task).count({ where: { subjectId: m.id } })).toBe(0);
});

it.each([
  [302, 'noMatch', '比对不一致'],
  [303, 'noFace', '未检测到人脸'],
  [304, 'timeout', '响应超时'],
])('R7c: comparison width %i (%s) → on-site task → staff upload → certificate', async (width, _cause, told) => {
  const m = await member();
  const session = await memberSession(api.baseUrl, m.certificateNo);
  const { staff, session: staffS } = await staffSession(api.baseUrl, ds, 'provincialReviewer', '11');
  void staff;
  expect((await startClaim(session, api.baseUrl, 'comparison', await jpegOfWidth(width))).status).toBe(202);
  const task = await onSiteTask(m);
  const s = await waitFor(
    () => status(session),
    (v) => v.claim?.fallbackReason != null,
    'fallback told',
  );
  expect(s.claim.fallbackReason).toContain(told);
  expect(s.claim.nextStep).toContain('现场核验');
  await staffApprovesWithUpload(staffS, api.baseUrl, task);
  await confirmAndIssue(session, m);
  const timeline = await readJson(await staffS.get(`/api/members/${m.certificateNo}/timeline`));
  expect(timeline.entries.map((e: { title: string }) => e.title)).toEqual(
    expect.arrayContaining([
      '会员发起电子证书申领',
      '照片比对未通过，转现场核验',
      '现场核验通过，已上传核验照片',
      '电子证书第 1 版已签发',
    ]),
  );
});

it('R7c: with comparison not available, uploads go to on-site review by the institute', async () => {
  const m = await member();
  const session = await memberSession(apiOff.baseUrl, m.certificateNo);
  const route = (await status(session)).routes.find((r: { route: string }) => r.route === 'comparison');
  expect(route.note).toContain('尚未开通');
  expect((await startClaim(session, apiOff.baseUrl, 'comparison', await jpegOfWidth(301))).status).toBe(202);
  const task = await onSiteTask(m);
  const { session: staffS } = await staffSession(apiOff.baseUrl, ds, 'provincialAdmin', '11');
  const detail = await readJson(await staffS.get(`/api/claims/on-site/${task.id}`));
  expect(detail).toMatchObject({ reason: expect.stringContaining('尚未开通'), candidatePhotoId: expect.any(String) });
  expect((await staffS.get(`/api/claims/on-site/${task.id}/member-photo`)).status).toBe(200);
  expect((await staffS.post(`/api/tasks/${task.id}/claim`)).status).toBe(200);
  const form = new FormData();
  form.append('outcome', 'approve');
  form.append('useMemberPhoto', 'true');
  const decided = await fetch(`${apiOff.baseUrl}/api/claims/on-site/${task.id}/decision`, {
    method: 'POST',
    body: form,
    headers: { cookie: (staffS as unknown as { cookie: string }).cookie },
  });
  expect(decided.status).toBe(200);
  await confirmAndIssue(session, m);
  const audit = await ds
    .getRepository(AuditEvent)
    .findOneByOrFail({ subjectId: task.id, action: 'onSiteCheck.approve' });
  expect(audit.actorType).toBe('staff');
});

it('staff of another province can neither see nor act on the on-site task; a second claim is refused', async () => {
  const m = await member();
  const session = await memberSession(api.baseUrl, m.certificateNo);
  expect((await startClaim(session, api.baseUrl, 'onSite')).status).toBe(202);
  const again = await startClaim(session, api.baseUrl, 'onSite');
  expect(again.status).toBe(409);
  expect((await readJson(again)).message).toContain('已有一项正在办理');
  const task = await onSiteTask(m);
  const { session: other } = await staffSession(api.baseUrl, ds, 'provincialReviewer', '31');
  expect((await other.get(`/api/claims/on-site/${task.id}`)).status).toBe(404);
  expect((await other.post(`/api/tasks/${task.id}/claim`)).status).toBe(404);
  expect((await other.get(`/api/members/${m.certificateNo}/timeline`)).status).toBe(403);
  const listed = await readJson(await other.get('/api/tasks?type=onSiteCheck&pageSize=100'));
  expect(listed.items.map((t: { id: string }) => t.id)).not.toContain(task.id);
  // The member withdraws: the task leaves the queue.
  expect((await session.post('/api/member/claim/cancel')).status).toBe(200);
  await waitFor(
    async () => (await ds.getRepository(Task).findOneByOrFail({ id: task.id })).status,
    (s) => s === 'cancelled',
    'task cancelled',
  );
});

it.each([
  ['not a JPG', async () => Buffer.from('%PDF-1.4 not a photo %%EOF'), 'JPG 格式'],
  [
    'a JPG header on garbage',
    async () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(4000, 7)]),
    '已损坏',
  ],
  ['too large', async () => Buffer.concat([await jpegOfWidth(301), Buffer.alloc(2 * 1024 * 1024)]), '不超过 2 MB'],
  ['too small', async () => jpegOfWidth(100, 120), '尺寸过小'],
])('a bad upload (%s) gets a Chinese 400 and nothing is stored', async (_label, make, message) => {
  const m = await member();
  const session = await memberSession(api.baseUrl, m.certificateNo);
  const before = await ds.getRepository(Photo).count({ where: { memberId: m.id } });
  const response = await startClaim(session, api.baseUrl, 'comparison', await make());
  expect(response.status).toBe(400);
  expect((await readJson(response)).message).toContain(message);
  expect(await ds.getRepository(Photo).count({ where: { memberId: m.id } })).toBe(before);
  expect((await status(session)).claim).toBeNull();
});

it('R17: a worker restarted while the claim waits for the on-site check loses nothing', async () => {
  const m = await member();
  const session = await memberSession(api.baseUrl, m.certificateNo);
  expect((await startClaim(session, api.baseUrl, 'onSite')).status).toBe(202);
  const task = await onSiteTask(m);
  await worker.close();
  worker = await startFakeWorker();
  const { session: staffS } = await staffSession(api.baseUrl, ds, 'provincialReviewer', '11');
  await staffApprovesWithUpload(staffS, api.baseUrl, task);
  await confirmAndIssue(session, m);
});
