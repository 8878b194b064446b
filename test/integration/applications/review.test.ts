/**
 * Membership application with two-level review on the real stack (R3–R6, R15, R17, R18):
 * API + worker + Temporal dev server + PostgreSQL, driven the way applicants and staff do.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { beijingYear } from '@app/domain/beijing-date';
import { Application, AuditEvent, Institute, Notification, Task } from '@app/persistence';
import { createStaff, TEST_PASSWORD } from '../../factories/accounts';
import { applicationFields, defaultFiles, formData, jpeg, pdf } from '../../factories/applications';
import { readJson, Session, startApi, type TestApi } from '../../support/api';
import { startWorker } from '../../support/worker';

jest.setTimeout(180_000);

let api: TestApi;
let worker: INestApplicationContext | undefined;
let temporal: Client;

beforeAll(async () => {
  api = await startApi();
  worker = await startWorker();
  temporal = api.app.get(Client);
});

afterAll(async () => {
  await worker?.close();
  await api?.close();
});

async function submit(baseUrl: string, fields: Record<string, string>, files?: Parameters<typeof formData>[1]) {
  return fetch(`${baseUrl}/api/applications`, {
    method: 'POST',
    body: formData(fields, files ?? (await defaultFiles())),
  });
}

async function submitOk(provinceCode: string, overrides: Record<string, string> = {}, baseUrl = api.baseUrl) {
  const fields = applicationFields(provinceCode, overrides);
  const response = await submit(baseUrl, fields);
  const body = await readJson(response);
  expect([response.status, body]).toEqual([201, { applicationNo: expect.stringMatching(/^SQ\d{14}$/) }]);
  return { applicationNo: body.applicationNo as string, idNumber: fields.idNumber };
}

async function loginStaff(role: Parameters<typeof createStaff>[1], province: string | null) {
  const account = await createStaff(api.dataSource, role, province);
  const session = new Session(api.baseUrl);
  expect(
    (await session.post('/api/auth/staff/login', { username: account.username, password: TEST_PASSWORD })).status,
  ).toBe(200);
  return { account, session };
}

async function applicationOf(applicationNo: string): Promise<Application> {
  return api.dataSource.getRepository(Application).findOneByOrFail({ applicationNo });
}

/** The open task of an application at a level, once the workflow has opened it. */
async function openTask(applicationNo: string, type: string): Promise<Task> {
  const application = await applicationOf(applicationNo);
  for (let i = 0; i < 200; i++) {
    const task = await api.dataSource
      .getRepository(Task)
      .findOne({ where: { subjectId: application.id, type, status: 'open' }, order: { createdAt: 'DESC' } });
    if (task) return task;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no open ${type} task for ${applicationNo}`);
}

async function decide(session: Session, taskId: string, outcome: string, reason?: string) {
  expect((await session.post(`/api/tasks/${taskId}/claim`)).status).toBe(200);
  const response = await session.post(`/api/tasks/${taskId}/decision`, { outcome, reason });
  expect([response.status, (await readJson(response)).status]).toEqual([200, 'done']);
}

async function progress(applicationNo: string, idNumber: string) {
  const response = await fetch(`${api.baseUrl}/api/applications/progress`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ applicationNo, idNumber }),
  });
  expect(response.status).toBe(200);
  return readJson(response);
}

async function resubmit(applicationNo: string, idNumber: string, overrides: Record<string, string>) {
  const fields = { ...applicationFields('11', overrides), idNumber };
  delete (fields as Record<string, string | undefined>).provinceCode;
  const response = await fetch(`${api.baseUrl}/api/applications/${applicationNo}/resubmit`, {
    method: 'POST',
    body: formData(fields, [{ field: 'other', name: '补充材料.jpg', data: await jpeg(), type: 'image/jpeg' }]),
  });
  expect(response.status).toBe(200);
  return readJson(response);
}

const result = (applicationNo: string) => temporal.workflow.getHandle(`application-${applicationNo}`).result();

it('takes an application through both reviews to an admitted member who logs in and changes the password', async () => {
  const first = await loginStaff('provincialReviewer', '11');
  const second = await loginStaff('nationalReviewer', null);
  const { applicationNo, idNumber } = await submitOk('11');

  const task1 = await openTask(applicationNo, 'firstReview');
  expect(task1.provinceCode).toBe('11');
  const listed = await readJson(await first.session.get('/api/tasks?type=firstReview&pageSize=100'));
  expect(listed.items.map((t: { id: string }) => t.id)).toContain(task1.id);
  const detail = await readJson(await first.session.get(`/api/applications/${applicationNo}`));
  expect(detail.attachments.map((a: { kind: string }) => a.kind).sort()).toEqual(['examCertificate', 'idCard']);
  await decide(first.session, task1.id, 'approve');

  const task2 = await openTask(applicationNo, 'secondReview');
  expect(task2.provinceCode).toBeNull();
  expect((await progress(applicationNo, idNumber)).status).toBe('secondReview');
  await decide(second.session, task2.id, 'approve');

  expect(await result(applicationNo)).toEqual({
    outcome: 'approved',
    certificateNo: expect.stringMatching(/^11\d{10}$/),
  });
  const approved = await progress(applicationNo, idNumber);
  expect(approved).toMatchObject({ status: 'approved', certificateNo: expect.stringMatching(/^11\d{10}$/) });
  expect(approved.initialPassword).toMatch(/^[A-Za-z0-9]{10}$/);
  expect(approved.steps.map((s: { title: string }) => s.title)).toEqual([
    '提交入会申请',
    '进入初核',
    '初核结论',
    '进入复核',
    '复核结论',
    '办理入会，生成证书编号',
  ]);

  // R6: log in with the certificate number and the initial password, which must be changed first.
  const member = new Session(api.baseUrl);
  const login = await member.post('/api/auth/member/login', {
    certificateNo: approved.certificateNo,
    password: approved.initialPassword,
  });
  expect((await readJson(login)).principal.mustChangePassword).toBe(true);
  expect(
    (
      await member.post('/api/auth/member/password', {
        currentPassword: approved.initialPassword,
        newPassword: 'Mine2026abc',
      })
    ).status,
  ).toBe(200);
  // Once replaced, the initial password cannot be read back.
  expect((await progress(applicationNo, idNumber)).initialPassword).toBeNull();

  const audit = await api.dataSource.getRepository(AuditEvent).find({ where: { subjectId: task1.id } });
  expect(audit.map((e) => e.action).sort()).toEqual(['firstReview.approve', 'task.claim']);
  const notices = await api.dataSource
    .getRepository(Notification)
    .find({ where: { recipient: 'applicant@example.com' } });
  expect(notices.some((n) => n.body.includes(approved.certificateNo))).toBe(true);
});

it('returns an application for correction at each level, and reviews it again after resubmission', async () => {
  const first = await loginStaff('provincialAdmin', '31');
  const second = await loginStaff('nationalAdmin', null);
  const { applicationNo, idNumber } = await submitOk('31');

  await decide(first.session, (await openTask(applicationNo, 'firstReview')).id, 'return', '身份证扫描件不清晰');
  let view = await progress(applicationNo, idNumber);
  for (let i = 0; view.status !== 'returned' && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    view = await progress(applicationNo, idNumber);
  }
  expect(view).toMatchObject({ status: 'returned', reason: '身份证扫描件不清晰', canResubmit: true });
  expect((await resubmit(applicationNo, idNumber, { mobile: '13700000001' })).status).toBe('firstReview');
  expect((await applicationOf(applicationNo)).mobile).toBe('13700000001');

  await decide(first.session, (await openTask(applicationNo, 'firstReview')).id, 'approve');
  await decide(second.session, (await openTask(applicationNo, 'secondReview')).id, 'return', '工作单位请填写全称');
  for (let i = 0; (await applicationOf(applicationNo)).status !== 'returned' && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  expect((await progress(applicationNo, idNumber)).reason).toBe('工作单位请填写全称');
  await resubmit(applicationNo, idNumber, { employer: '某某会计师事务所（特殊普通合伙）' });

  // After a correction the review starts again at the first level.
  await decide(first.session, (await openTask(applicationNo, 'firstReview')).id, 'approve');
  await decide(second.session, (await openTask(applicationNo, 'secondReview')).id, 'approve');
  expect((await result(applicationNo)).outcome).toBe('approved');
  const titles = (await progress(applicationNo, idNumber)).steps.map((s: { title: string }) => s.title);
  expect(titles.filter((t: string) => t === '修改后重新提交')).toHaveLength(2);
  expect(titles.filter((t: string) => t === '进入初核')).toHaveLength(3);
});

it('rejects at either level with a reason the applicant sees', async () => {
  const first = await loginStaff('provincialReviewer', '32');
  const second = await loginStaff('nationalReviewer', null);

  const a = await submitOk('32');
  await decide(first.session, (await openTask(a.applicationNo, 'firstReview')).id, 'reject', '不符合入会条件');
  expect(await result(a.applicationNo)).toEqual({ outcome: 'rejected', certificateNo: null });
  expect(await progress(a.applicationNo, a.idNumber)).toMatchObject({
    status: 'rejected',
    reason: '不符合入会条件',
    canResubmit: false,
  });

  const b = await submitOk('32');
  await decide(first.session, (await openTask(b.applicationNo, 'firstReview')).id, 'approve');
  await decide(
    second.session,
    (await openTask(b.applicationNo, 'secondReview')).id,
    'reject',
    '全科合格证信息无法核实',
  );
  expect((await result(b.applicationNo)).outcome).toBe('rejected');
  expect((await progress(b.applicationNo, b.idNumber)).reason).toBe('全科合格证信息无法核实');
});

it('refuses a second decision on a decided task with 409 and changes nothing', async () => {
  const first = await loginStaff('provincialReviewer', '33');
  const { applicationNo } = await submitOk('33');
  const task = await openTask(applicationNo, 'firstReview');
  await decide(first.session, task.id, 'approve');
  const auditBefore = await api.dataSource.getRepository(AuditEvent).count({ where: { subjectId: task.id } });

  const again = await first.session.post(`/api/tasks/${task.id}/decision`, { outcome: 'reject', reason: '重复提交' });
  expect(again.status).toBe(409);
  expect((await readJson(again)).code).toBe('TASK_CLOSED');
  const after = await api.dataSource.getRepository(Task).findOneByOrFail({ id: task.id });
  expect(after.decision).toEqual({ outcome: 'approve', reason: null });
  expect(await api.dataSource.getRepository(AuditEvent).count({ where: { subjectId: task.id } })).toBe(auditBefore);
  // The workflow went on to the second review, untouched by the late decision.
  await openTask(applicationNo, 'secondReview');
});

it('keeps another province’s reviewer from listing, reading, claiming or deciding the task', async () => {
  const other = await loginStaff('provincialReviewer', '35');
  const { applicationNo } = await submitOk('34');
  const task = await openTask(applicationNo, 'firstReview');

  const list = await readJson(await other.session.get('/api/tasks?view=all&pageSize=100'));
  expect(list.items.map((t: { id: string }) => t.id)).not.toContain(task.id);
  expect((await other.session.get(`/api/tasks/${task.id}`)).status).toBe(404);
  expect((await other.session.get(`/api/applications/${applicationNo}`)).status).toBe(404);
  expect((await other.session.post(`/api/tasks/${task.id}/claim`)).status).toBe(404);
  expect((await other.session.post(`/api/tasks/${task.id}/decision`, { outcome: 'approve' })).status).toBe(404);
  const next = await other.session.post('/api/tasks/next', {});
  if (next.status === 200) expect((await readJson(next)).id).not.toBe(task.id);

  const unchanged = await api.dataSource.getRepository(Task).findOneByOrFail({ id: task.id });
  expect([unchanged.status, unchanged.assigneeId, unchanged.decision]).toEqual(['open', null, null]);
});

it('never hands the same task to two reviewers taking "next" at the same time', async () => {
  const a = await loginStaff('provincialReviewer', '36');
  const b = await loginStaff('provincialReviewer', '36');
  const submitted = [await submitOk('36'), await submitOk('36'), await submitOk('36')];
  for (const s of submitted) await openTask(s.applicationNo, 'firstReview');

  const claimed: string[] = [];
  for (let round = 0; round < 2; round++) {
    const [ra, rb] = await Promise.all([a.session.post('/api/tasks/next', {}), b.session.post('/api/tasks/next', {})]);
    for (const r of [ra, rb]) if (r.status === 200) claimed.push((await readJson(r)).id);
  }
  expect(claimed).toHaveLength(3);
  expect(new Set(claimed).size).toBe(claimed.length);
});

it('names each bad field with 400 and stores nothing, starting no workflow', async () => {
  const count = () => api.dataSource.getRepository(Application).count();
  const before = await count();
  const cases: Array<[string, Record<string, string>, Parameters<typeof formData>[1] | undefined, string[]]> = [
    [
      'missing fields',
      { provinceCode: '11', admissionRoute: 'assessment' },
      undefined,
      ['name', 'mobile', 'email', 'idNumber'],
    ],
    ['invalid ID number', applicationFields('11', { idNumber: '110105199001011234' }), undefined, ['idNumber']],
    ['unknown institute', applicationFields('99'), undefined, ['provinceCode']],
    // Checked against the year in Beijing when the application arrives, not when the API started.
    [
      'exam passed next year',
      applicationFields('11', { examPassYear: String(beijingYear() + 1) }),
      undefined,
      ['examPassYear'],
    ],
    [
      'non-image attachment',
      applicationFields('11'),
      [
        { field: 'idCard', name: 'id.jpg', data: Buffer.from('this is not a picture'), type: 'image/jpeg' },
        { field: 'examCertificate', name: 'c.pdf', data: pdf(), type: 'application/pdf' },
      ],
      ['idCard'],
    ],
    [
      'oversized attachment',
      applicationFields('11'),
      [
        {
          field: 'idCard',
          name: 'big.jpg',
          data: Buffer.concat([await jpeg(), Buffer.alloc(6 * 1024 * 1024)]),
          type: 'image/jpeg',
        },
      ],
      ['attachments'],
    ],
  ];
  for (const [label, fields, files, expected] of cases) {
    const response = await submit(api.baseUrl, fields, files);
    const body = await readJson(response);
    expect([label, response.status, body.code]).toEqual([label, 400, 'VALIDATION_FAILED']);
    const named = body.fields.map((f: { field: string }) => f.field);
    for (const field of expected) expect([label, named]).toEqual([label, expect.arrayContaining([field])]);
  }
  expect(await count()).toBe(before);
});

it('reminds the institute when a task waits longer than the configured period, and shows it overdue', async () => {
  const fast = await startApi({ TASK_REMINDER_AFTER: '2s' });
  try {
    await api.dataSource
      .getRepository(Institute)
      .update({ code: '37' }, { responsibleName: '刘老师', responsibleEmail: 'liu@hunan-cicpa.example' });
    const staff = await loginStaff('provincialReviewer', '37');
    const { applicationNo } = await submitOk('37', {}, fast.baseUrl);
    const task = await openTask(applicationNo, 'firstReview');
    let reminded: Task | null = null;
    for (let i = 0; i < 150 && !reminded; i++) {
      await new Promise((r) => setTimeout(r, 200));
      reminded = await api.dataSource.getRepository(Task).findOne({ where: { id: task.id } });
      if (reminded && reminded.reminderCount < 1) reminded = null;
    }
    expect(reminded?.remindedAt).toBeInstanceOf(Date);
    const mail = await api.dataSource
      .getRepository(Notification)
      .findOneByOrFail({ dedupeKey: `task-reminder:${task.id}:1` });
    expect(mail.recipient).toBe('liu@hunan-cicpa.example');
    expect(mail.body).toContain(applicationNo);
    const listed = await readJson(await staff.session.get('/api/tasks?type=firstReview&pageSize=100'));
    expect(listed.items.find((t: { id: string }) => t.id === task.id)).toMatchObject({ overdue: true });
  } finally {
    await fast.close();
  }
});

it('loses nothing when the worker is restarted between decisions', async () => {
  const first = await loginStaff('provincialReviewer', '41');
  const second = await loginStaff('nationalReviewer', null);
  const { applicationNo } = await submitOk('41');
  await decide(first.session, (await openTask(applicationNo, 'firstReview')).id, 'approve');
  const task2 = await openTask(applicationNo, 'secondReview');

  await worker!.close();
  worker = undefined;
  // Decided while no worker runs: the signal waits in the workflow's history.
  await decide(second.session, task2.id, 'approve');
  worker = await startWorker();

  expect(await result(applicationNo)).toEqual({
    outcome: 'approved',
    certificateNo: expect.stringMatching(/^41\d{10}$/),
  });
});
