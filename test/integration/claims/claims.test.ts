/**
 * The member's e-certificate claim on the real stack (R6–R8, R7a–c, R10, R14, R17): API + worker + Temporal dev
 * server + PostgreSQL + Chromium, with the real photo providers. Comparisons run the offline model on real face
 * photographs (test/fixtures/faces); the external service's failures (an HTTP 500, no answer before the timeout) come
 * from the real HTTP provider talking to a small HTTP server on 127.0.0.1. Each API and worker is configured only
 * through PHOTO_* settings, as in a deployment.
 *
 * Workers of one run share the task queues, so a test that needs another provider replaces the worker (useWorker)
 * rather than starting a second one beside it.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import sharp from 'sharp';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@app/config';
import { AuditEvent, Certificate, ExamPhoto, FsBlobStore, Member, Photo, Task } from '@app/persistence';
import { createMember } from '../../factories/accounts';
import { readJson, Session, startApi, type TestApi } from '../../support/api';
import { startWorker } from '../../support/worker';
import { memberSession, staffSession, testPhoto } from '../certificates/support';
import { face, twoFaces } from '../photo/faces';

jest.setTimeout(240_000);

/** Comparison timeout of every API (read into the claim) and worker (the provider's own limit): one setting. */
const TIMEOUT = { PHOTO_COMPARISON_TIMEOUT: '5s' };
const OFFLINE_WORKER = { ...TIMEOUT };
const httpWorker = (path: string) => ({
  ...TIMEOUT,
  PHOTO_COMPARISON_PROVIDER: 'http',
  PHOTO_COMPARISON_URL: `${serviceUrl}${path}`,
});

let service: Server;
let serviceUrl: string;
/** API with comparison on (offline provider: counts faces at upload). */
let api: TestApi;
/** API with comparison not yet available (R7c). */
let apiOff: TestApi;
/** API whose provider cannot count faces (the service is down): uploads pass the courtesy check unchecked. */
let apiNoCount: TestApi;
let ds: DataSource;
let config: AppConfig;
let worker: INestApplicationContext;

/** Replaces the running worker with one configured by `overrides` (the one before finishes its work first). */
async function useWorker(overrides: Record<string, string>): Promise<void> {
  await worker?.close();
  worker = await startWorker(overrides);
}

beforeAll(async () => {
  // The external comparison service, misbehaving: "/down" answers 500, "/hang" never answers.
  service = createServer((req, res) => {
    req.resume();
    if (req.url === '/down') res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"down"}');
    else if (req.url !== '/hang') res.writeHead(404).end();
  });
  service.listen(0, '127.0.0.1');
  await once(service, 'listening');
  serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;

  [api, apiOff, apiNoCount] = await Promise.all([
    startApi({ ...TIMEOUT, PHOTO_COMPARISON_AVAILABLE: 'true' }),
    startApi({ ...TIMEOUT, PHOTO_COMPARISON_AVAILABLE: 'false' }),
    startApi({ ...httpWorker('/down'), PHOTO_COMPARISON_AVAILABLE: 'true' }),
  ]);
  ds = api.dataSource;
  config = api.config;
  await useWorker(OFFLINE_WORKER);
});

afterAll(async () => {
  await worker?.close();
  await Promise.allSettled([api?.close(), apiOff?.close(), apiNoCount?.close()]);
  service?.closeAllConnections(); // the hanging requests
  service?.close();
});

/** A noisy JPEG of the given size: a valid photo file without a face. */
const noise = (width: number, height = 400) =>
  sharp({
    create: { width, height, channels: 3, background: '#8899aa', noise: { type: 'gaussian', mean: 128, sigma: 20 } },
  })
    .jpeg()
    .toBuffer();

/**
 * A member with a photo on file — the reference for comparison: a face fixture, or by default a faceless test image
 * for tests that never compare — and, for exam ≥ 2010, the exam system's photo instead.
 */
async function member(
  overrides: Partial<Member> = {},
  {
    province = '11',
    examPhoto = false,
    reference,
  }: { province?: string; examPhoto?: boolean; reference?: Buffer } = {},
) {
  const m = await createMember(ds, province, { admissionRoute: 'exam', examPassYear: 2005, ...overrides });
  const blobs = new FsBlobStore(config.storage.blobDir);
  const photo = reference ?? (await testPhoto());
  const key = await blobs.put(photo, 'image/jpeg');
  if (examPhoto) await ds.getRepository(ExamPhoto).save({ memberId: m.id, blobKey: key, examYear: m.examPassYear! });
  else {
    const { width, height } = await sharp(photo).metadata();
    await ds.getRepository(Photo).save({
      memberId: m.id,
      source: 'onSite',
      blobKey: key,
      contentType: 'image/jpeg',
      width: width,
      height: height,
      status: 'accepted',
      verifiedAt: new Date('2015-01-01'),
    });
  }
  return m;
}

function claimForm(route: string, photo?: Buffer, type = 'image/jpeg') {
  const form = new FormData();
  form.append('route', route);
  if (photo) form.append('photo', new Blob([new Uint8Array(photo)], { type }), 'photo.jpg');
  return form;
}

async function startClaim(session: Session, baseUrl: string, route: string, photo?: Buffer, type?: string) {
  return fetch(`${baseUrl}/api/member/claim`, {
    method: 'POST',
    body: claimForm(route, photo, type),
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

function onSiteUpload(staff: Session, baseUrl: string, task: Task, photo: Buffer) {
  const form = new FormData();
  form.append('outcome', 'approve');
  form.append('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'onsite.jpg');
  return fetch(`${baseUrl}/api/claims/on-site/${task.id}/decision`, {
    method: 'POST',
    body: form,
    headers: { cookie: (staff as unknown as { cookie: string }).cookie },
  });
}

/** Staff claim the task and upload the photo they verified on site (R10): one face, checked like the member's. */
async function staffApprovesWithUpload(staff: Session, baseUrl: string, task: Task, photo = face('grace-hopper.jpg')) {
  expect((await staff.post(`/api/tasks/${task.id}/claim`)).status).toBe(200);
  // The generic decision endpoint refuses: an on-site check needs the photo.
  expect((await staff.post(`/api/tasks/${task.id}/decision`, { outcome: 'approve' })).status).toBe(409);
  const response = await onSiteUpload(staff, baseUrl, task, photo);
  expect([response.status, (await readJson(response)).status]).toEqual([200, 'done']);
}

it('R7a: a member who passed the exam in 2010 or later gets a certificate without any staff action', async () => {
  const m = await member({ examPassYear: 2015 }, { examPhoto: true });
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

it('R7b: an upload matching the photo on file (another photograph of the same person) leads to a certificate', async () => {
  const m = await member({}, { reference: face('obama-1.jpg') });
  const session = await memberSession(api.baseUrl, m.certificateNo);
  expect((await startClaim(session, api.baseUrl, 'comparison', face('obama-2.jpg'))).status).toBe(202);
  await confirmAndIssue(session, m);
  expect(await ds.getRepository(Task).count({ where: { subjectId: m.id } })).toBe(0);
  const finish = await ds.getRepository(AuditEvent).findOneByOrFail({
    subjectId: m.id,
    action: 'photo.verification.finish',
  });
  expect(finish.detail).toMatchObject({ outcome: 'accepted', route: 'comparison' });
  const accepted = await ds.getRepository(Photo).findOneByOrFail({ memberId: m.id, source: 'comparison' });
  expect(accepted.status).toBe('accepted');
});

/**
 * Every failed comparison ends at the institute. "No face" is reached at comparison only when the upload could not
 * be counted (the API's provider is down: the courtesy check lets it through); with a working provider the upload
 * is refused at once (see the bad-upload tests).
 */
it.each([
  ['noMatch (a different person)', () => api, null, 'biden.jpg', '比对不一致'],
  ['noFace (faces not counted at upload)', () => apiNoCount, null, 'coffee.jpg', '未检测到人脸'],
  ['timeout (the service never answers)', () => api, '/hang', 'obama-2.jpg', '响应超时'],
  ['unavailable (the service answers 500)', () => api, '/down', 'obama-2.jpg', '暂时不可用'],
])('R7c: comparison %s → on-site task → staff upload → certificate', async (_label, which, service, upload, told) => {
  if (service) await useWorker(httpWorker(service));
  try {
    const { baseUrl } = which();
    const m = await member({}, { reference: face('obama-1.jpg') });
    const session = await memberSession(baseUrl, m.certificateNo);
    // Staff work at the API that counts faces, so their bad upload below is refused in every case.
    const { session: staffS } = await staffSession(api.baseUrl, ds, 'provincialReviewer', '11');
    expect((await startClaim(session, baseUrl, 'comparison', face(upload))).status).toBe(202);
    const task = await onSiteTask(m);
    const s = await waitFor(
      () => status(session),
      (v) => v.claim?.fallbackReason != null,
      'fallback told',
    );
    expect(s.claim.fallbackReason).toContain(told);
    expect(s.claim.nextStep).toContain('现场核验');
    // The institute's upload is checked like the member's: a photo without a face is refused, nothing stored.
    expect((await staffS.post(`/api/tasks/${task.id}/claim`)).status).toBe(200);
    const photos = await ds.getRepository(Photo).count({ where: { memberId: m.id } });
    const refused = await onSiteUpload(staffS, api.baseUrl, task, face('coffee.jpg'));
    expect(refused.status).toBe(400);
    expect((await readJson(refused)).message).toMatch(/photo（.*未检测到人脸/);
    expect(await ds.getRepository(Photo).count({ where: { memberId: m.id } })).toBe(photos);
    expect((await ds.getRepository(Task).findOneByOrFail({ id: task.id })).status).toBe('claimed');
    const done = await onSiteUpload(staffS, api.baseUrl, task, face('obama-1.jpg'));
    expect(done.status).toBe(200);
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
  } finally {
    if (service) await useWorker(OFFLINE_WORKER);
  }
});

it('R7c: with comparison not available, uploads go to on-site review by the institute', async () => {
  const m = await member();
  const session = await memberSession(apiOff.baseUrl, m.certificateNo);
  const route = (await status(session)).routes.find((r: { route: string }) => r.route === 'comparison');
  expect(route.note).toContain('尚未开通');
  expect((await startClaim(session, apiOff.baseUrl, 'comparison', face('astronaut.jpg'))).status).toBe(202);
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
  ['not a JPG', async () => Buffer.from('%PDF-1.4 not a photo %%EOF'), 'image/jpeg', '不是 JPG 格式'],
  ['declared as PNG', async () => face('astronaut.jpg'), 'image/png', '照片须为 JPG'],
  [
    'a JPG header on garbage',
    async () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(4000, 7)]),
    'image/jpeg',
    '已损坏',
  ],
  [
    'too large',
    async () => Buffer.concat([face('astronaut.jpg'), Buffer.alloc(2 * 1024 * 1024)]),
    'image/jpeg',
    '不能超过 2 MB',
  ],
  ['too small', async () => noise(100, 120), 'image/jpeg', '应在 240×320'],
  ['zero faces', async () => face('coffee.jpg'), 'image/jpeg', '未检测到人脸'],
  ['two faces', twoFaces, 'image/jpeg', '检测到 2 张人脸'],
])('a bad upload (%s) gets a Chinese 400 naming the field, and nothing is stored', async (_l, make, type, message) => {
  const m = await member({}, { reference: face('astronaut.jpg') });
  const session = await memberSession(api.baseUrl, m.certificateNo);
  const before = await ds.getRepository(Photo).count({ where: { memberId: m.id } });
  const response = await startClaim(session, api.baseUrl, 'comparison', await make(), type);
  expect(response.status).toBe(400);
  const body = await readJson(response);
  expect(body.message).toMatch(/^提交的信息有误：photo（/);
  expect(body.message).toContain(message);
  expect(await ds.getRepository(Photo).count({ where: { memberId: m.id } })).toBe(before);
  expect((await status(session)).claim).toBeNull();
});

it('R17: a worker restarted while the claim waits for the on-site check loses nothing', async () => {
  const m = await member();
  const session = await memberSession(api.baseUrl, m.certificateNo);
  expect((await startClaim(session, api.baseUrl, 'onSite')).status).toBe(202);
  const task = await onSiteTask(m);
  await useWorker(OFFLINE_WORKER);
  const { session: staffS } = await staffSession(api.baseUrl, ds, 'provincialReviewer', '11');
  await staffApprovesWithUpload(staffS, api.baseUrl, task);
  await confirmAndIssue(session, m);
});
