/**
 * The server-rendered application, progress and work-queue pages (R3, R4, R5, R18) where the
 * browser test does not go: refusals, province scope, correction of a returned application.
 * Real API + worker + Temporal dev server + PostgreSQL, driven over HTTP like a browser.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { Application, AuditEvent, Task } from '@app/persistence';
import { createStaff, TEST_PASSWORD } from '../../factories/accounts';
import { applicationFields, defaultFiles, formData, jpeg, type FilePart } from '../../factories/applications';
import { Session, startApi, type TestApi } from '../../support/api';
import { startWorker } from '../../support/worker';

jest.setTimeout(180_000);

// Provinces no other test file uses: 43 for the applications, 45 for an outsider, 46 has no work.
const PROVINCE = '43';
const OTHER_PROVINCE = '45';
const EMPTY_PROVINCE = '46';

let api: TestApi;
let worker: INestApplicationContext | undefined;

beforeAll(async () => {
  [api, worker] = await Promise.all([startApi(), startWorker()]);
});

afterAll(async () => {
  await worker?.close();
  await api?.close();
});

async function postApply(fields: Record<string, string>, files?: FilePart[], path = '/apply') {
  const response = await fetch(api.baseUrl + path, {
    method: 'POST',
    body: formData(fields, files ?? (await defaultFiles())),
  });
  return { status: response.status, html: await response.text() };
}

async function applyOk(overrides: Record<string, string> = {}) {
  const fields = applicationFields(PROVINCE, overrides);
  const { status, html } = await postApply(fields);
  expect(status).toBe(200);
  const applicationNo = /data-application-no>(SQ\d{14})</.exec(html)?.[1];
  expect(applicationNo).toBeDefined();
  return { applicationNo: applicationNo!, idNumber: fields.idNumber, fields };
}

async function postForm(path: string, body: Record<string, string>) {
  const response = await new Session(api.baseUrl).postForm(path, body);
  return { status: response.status, html: await response.text() };
}

async function staffPages(province: string | null) {
  const account = await createStaff(api.dataSource, province ? 'provincialReviewer' : 'nationalReviewer', province);
  const session = new Session(api.baseUrl);
  const login = await session.postForm('/login', { username: account.username, password: TEST_PASSWORD });
  expect([login.status, login.headers.get('location')]).toEqual([303, '/console']);
  const page = async (path: string) => {
    const response = await session.get(path);
    return { status: response.status, html: await response.text(), location: response.headers.get('location') };
  };
  const post = async (path: string, body: Record<string, string> = {}) => {
    const response = await session.postForm(path, body);
    return { status: response.status, html: await response.text(), location: response.headers.get('location') };
  };
  return { account, page, post };
}

/** Polls until the workflow has opened the task (it runs in the background). */
async function openTask(applicationNo: string, type = 'firstReview'): Promise<Task> {
  const application = await api.dataSource.getRepository(Application).findOneByOrFail({ applicationNo });
  for (let i = 0; i < 300; i++) {
    const task = await api.dataSource
      .getRepository(Task)
      .findOneBy({ subjectId: application.id, type, status: 'open' });
    if (task) return task;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no open ${type} task for ${applicationNo}`);
}

async function statusOf(applicationNo: string, wanted: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if ((await api.dataSource.getRepository(Application).findOneByOrFail({ applicationNo })).status === wanted) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${applicationNo} never reached ${wanted}`);
}

const fieldError = (html: string, field: string) =>
  new RegExp(`data-field="${field}">([^<]*)<`).exec(html)?.[1] ?? null;

describe('applicant pages', () => {
  it('offers every local institute, keeps the values after an error and escapes them', async () => {
    const form = await fetch(`${api.baseUrl}/apply`);
    const html = await form.text();
    expect(form.status).toBe(200);
    expect(html.match(/<option value="\d\d"/g)).toHaveLength(32);
    expect(html).toContain('enctype="multipart/form-data"');

    const fields = applicationFields(PROVINCE, { email: 'not-an-email', address: '<b>武汉</b> "一号"' });
    const { status, html: again } = await postApply(fields, []);
    expect(status).toBe(400);
    expect(fieldError(again, 'email')).toBe('电子邮箱格式不正确');
    expect(fieldError(again, 'idCard')).toBe('请上传身份证（正反面）扫描件，JPG 或 PDF');
    expect(fieldError(again, 'name')).toBeNull();
    expect(again).toContain(`value="${fields.idNumber}"`);
    expect(again).toContain('<option value="43" selected>');
    expect(again).toContain('value="&lt;b&gt;武汉&lt;/b&gt; &quot;一号&quot;"');
    expect(await api.dataSource.getRepository(Application).countBy({ idNumber: fields.idNumber })).toBe(0);
  });

  it('explains a second application for the same ID number instead of storing it', async () => {
    const { applicationNo, fields } = await applyOk();
    const { status, html } = await postApply(fields);
    expect(status).toBe(409);
    expect(html).toContain(`该身份证号已有审核中的申请（${applicationNo}），请勿重复提交。`);
    expect(await api.dataSource.getRepository(Application).countBy({ idNumber: fields.idNumber })).toBe(1);
  });

  it('answers an unknown or malformed progress query on the form, in Chinese', async () => {
    const unknown = await postForm('/progress', { applicationNo: 'SQ20000101999999', idNumber: '11010519491231002X' });
    expect(unknown.status).toBe(404);
    expect(unknown.html).toContain('未找到该申请，请核对申请编号和身份证号。');
    expect(unknown.html).toContain('value="SQ20000101999999"');

    const malformed = await postForm('/progress', { applicationNo: 'abc', idNumber: '' });
    expect(malformed.status).toBe(400);
    expect(fieldError(malformed.html, 'applicationNo')).toBe('申请编号格式应为 SQ 加 14 位数字');
    expect(fieldError(malformed.html, 'idNumber')).toBe('身份证号应为 18 位，最后一位可为 X');
  });
});

describe('work-queue pages', () => {
  it('sends a visitor without a session to the staff log-in', async () => {
    const response = await fetch(`${api.baseUrl}/console/tasks`, { redirect: 'manual' });
    expect([response.status, response.headers.get('location')]).toEqual([303, '/login?next=%2Fconsole%2Ftasks']);
  });

  it('hides a task from another province’s reviewer: not listed, 404 to read, claim, decide or download', async () => {
    const outsider = await staffPages(OTHER_PROVINCE);
    const { applicationNo } = await applyOk();
    const task = await openTask(applicationNo);
    const application = await api.dataSource.getRepository(Application).findOneByOrFail({ applicationNo });

    expect((await outsider.page('/console/tasks?view=all&pageSize=100')).html).not.toContain(applicationNo);
    const read = await outsider.page(`/console/tasks/${task.id}`);
    expect(read.status).toBe(404);
    expect(read.html).toContain('未找到该任务。');
    expect(read.html).not.toContain(applicationNo);
    expect((await outsider.post(`/console/tasks/${task.id}/claim`)).status).toBe(404);
    expect((await outsider.post(`/console/tasks/${task.id}/decision`, { outcome: 'approve' })).status).toBe(404);
    const [attachment] = await api.dataSource.query(
      `SELECT id FROM application_attachments WHERE application_id = $1`,
      [application.id],
    );
    expect((await outsider.page(`/console/applications/${applicationNo}/attachments/${attachment.id}`)).status).toBe(
      404,
    );

    const unchanged = await api.dataSource.getRepository(Task).findOneByOrFail({ id: task.id });
    expect([unchanged.status, unchanged.assigneeId, unchanged.decision]).toEqual(['open', null, null]);
  });

  it('says the queue is empty when there is nothing to take', async () => {
    const idle = await staffPages(EMPTY_PROVINCE);
    const next = await idle.post('/console/tasks/next');
    expect([next.status, next.location]).toEqual([303, '/console/tasks?notice=empty']);
    expect((await idle.page(next.location!)).html).toContain('队列中暂无待办。');
  });

  it('refuses a return without a reason and a claim of someone else’s task, changing nothing', async () => {
    const reviewer = await staffPages(PROVINCE);
    const colleague = await staffPages(PROVINCE);
    const { applicationNo } = await applyOk();
    const task = await openTask(applicationNo);

    const queue = await reviewer.page('/console/tasks');
    expect(queue.html).toMatch(new RegExp(`data-task-id="${task.id}"[\\s\\S]*?<td data-label="状态">待认领</td>`));
    const claimed = await reviewer.post(`/console/tasks/${task.id}/claim`);
    expect([claimed.status, claimed.location]).toEqual([303, `/console/tasks/${task.id}?ok=claimed`]);
    const taken = await colleague.post(`/console/tasks/${task.id}/claim`);
    expect(taken.status).toBe(409);
    expect(taken.html).toContain('该任务已被其他工作人员认领。');
    expect(taken.html).not.toContain('class="decision"');

    const auditBefore = await api.dataSource.getRepository(AuditEvent).countBy({ subjectId: task.id });
    const refused = await reviewer.post(`/console/tasks/${task.id}/decision`, { outcome: 'return', reason: ' ' });
    expect(refused.status).toBe(400);
    expect(fieldError(refused.html, 'reason')).toBe(
      '不予通过或退回修改时须填写原因（至少 2 个字），申请人将看到该原因',
    );
    // The form comes back with the choice kept, ready to be completed.
    expect(refused.html).toContain('value="return" required checked');

    const after = await api.dataSource.getRepository(Task).findOneByOrFail({ id: task.id });
    expect([after.status, after.assigneeId, after.decision]).toEqual(['claimed', reviewer.account.id, null]);
    expect(await api.dataSource.getRepository(AuditEvent).countBy({ subjectId: task.id })).toBe(auditBefore);
    expect((await api.dataSource.getRepository(Application).findOneByOrFail({ applicationNo })).status).toBe(
      'firstReview',
    );

    const released = await reviewer.post(`/console/tasks/${task.id}/release`);
    expect([released.status, released.location]).toEqual([303, '/console/tasks?ok=released']);
    expect((await api.dataSource.getRepository(Task).findOneByOrFail({ id: task.id })).status).toBe('open');
  });

  it('returns an application from the task page; the applicant sees the reason, corrects it and resubmits', async () => {
    const reviewer = await staffPages(PROVINCE);
    const { applicationNo, idNumber } = await applyOk();
    const task = await openTask(applicationNo);
    await reviewer.post(`/console/tasks/${task.id}/claim`);
    const page = await reviewer.page(`/console/tasks/${task.id}`);
    expect(page.html).toContain('提交审核结论');
    expect(page.html).toContain('退回队列');

    const decided = await reviewer.post(`/console/tasks/${task.id}/decision`, {
      outcome: 'return',
      reason: '身份证扫描件不清晰，请重新上传',
    });
    expect([decided.status, decided.location]).toEqual([303, '/console/tasks?ok=decided']);
    const done = await reviewer.page(`/console/tasks/${task.id}`);
    expect(done.html).toContain('data-decision');
    expect(done.html).toContain('身份证扫描件不清晰，请重新上传');
    expect(done.html).not.toContain('提交审核结论');
    await statusOf(applicationNo, 'returned');

    const progress = await postForm('/progress', { applicationNo, idNumber });
    expect(progress.status).toBe(200);
    expect(progress.html).toContain('已退回修改，请修改后重新提交');
    expect(progress.html).toMatch(
      /class="reason" role="alert"><strong>退回原因：<\/strong>身份证扫描件不清晰，请重新上传/,
    );
    expect(progress.html).toContain('action="/progress/correct"');

    const correction = await postForm('/progress/correct', { applicationNo, idNumber });
    expect(correction.status).toBe(200);
    expect(correction.html).toContain(`action="/apply/${applicationNo}/resubmit"`);
    expect(correction.html).toContain('value="13912345678"');

    const fields = { ...applicationFields(PROVINCE, { mobile: '13600000043' }), idNumber };
    delete (fields as Record<string, string | undefined>).provinceCode;
    const bad = await postApply({ ...fields, mobile: '123' }, [], `/apply/${applicationNo}/resubmit`);
    expect(bad.status).toBe(400);
    expect(fieldError(bad.html, 'mobile')).toBe('手机号码应为 11 位数字，以 1 开头');
    expect(bad.html).toContain('身份证扫描件不清晰，请重新上传');

    const resubmitted = await postApply(
      fields,
      [{ field: 'idCard', name: '身份证-清晰.jpg', data: await jpeg(), type: 'image/jpeg' }],
      `/apply/${applicationNo}/resubmit`,
    );
    expect(resubmitted.status).toBe(200);
    expect(resubmitted.html).toContain('修改后的申请已重新提交');
    expect(resubmitted.html).toContain('修改后重新提交');
    expect((await api.dataSource.getRepository(Application).findOneByOrFail({ applicationNo })).mobile).toBe(
      '13600000043',
    );
    // The workflow takes it back to the first review.
    await openTask(applicationNo);

    // A correction that is no longer needed is refused on the form.
    const late = await postForm('/progress/correct', { applicationNo, idNumber });
    expect(late.status).toBe(409);
    expect(late.html).toContain('您的申请当前无需修改');
  });

  it('shows the certificate number and the initial password once both levels approved, until it is changed', async () => {
    const first = await staffPages(PROVINCE);
    const second = await staffPages(null);
    const { applicationNo, idNumber } = await applyOk();
    for (const [staff, type] of [
      [first, 'firstReview'],
      [second, 'secondReview'],
    ] as const) {
      const task = await openTask(applicationNo, type);
      expect((await staff.post(`/console/tasks/${task.id}/claim`)).status).toBe(303);
      const decided = await staff.post(`/console/tasks/${task.id}/decision`, { outcome: 'approve', reason: '' });
      expect([decided.status, decided.location]).toEqual([303, '/console/tasks?ok=decided']);
    }
    await statusOf(applicationNo, 'approved');

    const response = await new Session(api.baseUrl).postForm('/progress', { applicationNo, idNumber });
    const html = await response.text();
    expect(response.status).toBe(200);
    // It carries a password: no browser or proxy may keep a copy.
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(html).toContain('审核通过，已入会');
    const certificateNo = /data-certificate-no>(\d{12})</.exec(html)?.[1];
    const password = /data-initial-password>([A-Za-z0-9]{10})</.exec(html)?.[1];
    expect(certificateNo).toMatch(new RegExp(`^${PROVINCE}\\d{10}$`));
    expect(password).toBeDefined();
    expect(html).toContain('首次登录后须立即修改初始密码');
    expect(html).toContain('href="/member/login"');
    expect(html).toMatch(/<span class="step-title">复核结论<\/span>\s*<span class="badge badge-ok">通过<\/span>/);

    // R6 through the pages: the initial password logs in and must be changed first.
    const member = new Session(api.baseUrl);
    const login = await member.postForm('/member/login', { certificateNo: certificateNo!, password: password! });
    expect([login.status, login.headers.get('location')]).toEqual([303, '/member/password']);
    const changed = await member.postForm('/member/password', {
      currentPassword: password!,
      newPassword: 'Hubei2026abc',
      confirmPassword: 'Hubei2026abc',
    });
    expect([changed.status, changed.headers.get('location')]).toEqual([303, '/member']);
    const later = await (await new Session(api.baseUrl).postForm('/progress', { applicationNo, idNumber })).text();
    expect(later).not.toContain('data-initial-password');
    expect(later).toContain('初始密码已修改');
  });
});
