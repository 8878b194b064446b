/**
 * Notifications in doubt (R14): national administrators list the outbox (rows left in `sending` by default,
 * recipients masked) and settle a row after checking with the mail server or gateway, by the JSON API and by the
 * console page: delivered → `sent`, resend → `pending` again; each resolution audited in the same transaction, and a
 * row that is no longer resolvable (resolved by someone else, already sent) refused with 409. Real API and
 * PostgreSQL; rows are inserted directly in each state (no dispatcher runs in this file).
 */
import { randomUUID } from 'node:crypto';
import type { StaffRole } from '@app/domain/roles';
import type { NotificationChannel, NotificationStatus } from '@app/persistence';
import { createMember } from '../../factories/accounts';
import { staffSession } from '../certificates/support';
import { readJson, startApi, type Session, type TestApi } from '../../support/api';

jest.setTimeout(60_000);

let api: TestApi;
let national: Session;
let nationalUsername: string;
let nationalId: string;
let memberCertificateNo: string;
let memberId: string;
const tag = randomUUID().slice(0, 8);

beforeAll(async () => {
  api = await startApi();
  const admin = await staffSession(api.baseUrl, api.dataSource, 'nationalAdmin', null);
  national = admin.session;
  // Log-in names are kept in lower case.
  nationalUsername = admin.staff.username.toLowerCase();
  nationalId = admin.staff.id;
  const member = await createMember(api.dataSource, '11');
  memberCertificateNo = member.certificateNo;
  memberId = member.id;
});

afterAll(async () => {
  await api?.close();
});

async function login(role: StaffRole, province: string | null): Promise<Session> {
  return (await staffSession(api.baseUrl, api.dataSource, role, province)).session;
}

interface Inserted {
  id: string;
  recipient: string;
}

let serial = 0;

/**
 * One outbox row in a given state, as the dispatcher would have left it. `ageSeconds` sets created_at (and
 * sending_at) in the past, so "newest first" is testable and no row counts as just handed over.
 */
async function insert(
  status: NotificationStatus,
  channel: NotificationChannel,
  options: { ageSeconds?: number; member?: boolean; lastError?: string | null; attempts?: number } = {},
): Promise<Inserted> {
  serial++;
  const recipient = channel === 'mail' ? `zhang.${tag}.${serial}@example.com` : `139${String(10_000_000 + serial)}`;
  const age = options.ageSeconds ?? 3600;
  const [{ id }]: { id: string }[] = await api.dataSource.query(
    `INSERT INTO notifications
       (channel, recipient, member_id, template, subject, body, dedupe_key, status, attempts, last_error,
        created_at, sending_at, sent_at, next_attempt_at)
     VALUES ($1, $2, $3, 'claim-reminder', $4, '正文', $5, $6::text, $7::int, $8,
             now() - make_interval(secs => $9::int),
             CASE WHEN $6::text = 'pending' AND $7::int = 0 THEN NULL ELSE now() - make_interval(secs => $9::int - 60) END,
             CASE WHEN $6::text = 'sent' THEN now() - make_interval(secs => $9::int - 60) END,
             CASE WHEN $6::text = 'pending' THEN now() + interval '1 hour' END)
     RETURNING id`,
    [
      channel,
      recipient,
      options.member ? memberId : null,
      channel === 'mail' ? '请下载您的电子会员证' : null,
      `in-doubt-test:${tag}:${serial}`,
      status,
      options.attempts ?? (status === 'pending' ? 0 : 1),
      options.lastError === undefined
        ? status === 'sending'
          ? 'outcome unknown: connection closed'
          : null
        : options.lastError,
      age,
    ],
  );
  return { id, recipient };
}

async function row(id: string) {
  const [found]: {
    status: NotificationStatus;
    attempts: number;
    sent_at: Date | null;
    next_attempt_at: Date | null;
    last_error: string | null;
  }[] = await api.dataSource.query(
    `SELECT status, attempts, sent_at, next_attempt_at, last_error FROM notifications WHERE id = $1`,
    [id],
  );
  return found;
}

async function audits(id: string) {
  return api.dataSource.query<
    { action: string; actor_id: string; actor_label: string; detail: Record<string, unknown> }[]
  >(
    `SELECT action, actor_id, actor_label, detail FROM audit_events WHERE subject_type = 'notification' AND subject_id = $1 ORDER BY id`,
    [id],
  );
}

async function resolve(session: Session, id: string, body: unknown) {
  const response = await session.post(`/api/notifications/${id}/resolve`, body);
  return { status: response.status, body: await readJson(response) };
}

async function page(session: Session, path: string) {
  const response = await session.get(path);
  return { status: response.status, html: await response.text() };
}

async function postForm(session: Session, path: string, fields: Record<string, string>) {
  const response = await session.postForm(path, fields);
  return { status: response.status, html: await response.text(), location: response.headers.get('location') };
}

/** The table row of one notification on the console page. */
function pageRow(html: string, id: string): string | undefined {
  return new RegExp(`<tr data-notification="${id}"[\\s\\S]*?</tr>`).exec(html)?.[0];
}

it('R14: the outbox is for national administrators only (API and console page)', async () => {
  const target = await insert('sending', 'mail');
  for (const [role, province] of [
    ['provincialReviewer', '11'],
    ['provincialAdmin', '11'],
    ['nationalReviewer', null],
  ] as const) {
    const session = await login(role, province);
    const list = await session.get('/api/notifications');
    expect(list.status).toBe(403);
    expect((await readJson(list)).message).toBe('您没有执行此操作的权限。');
    expect((await resolve(session, target.id, { outcome: 'delivered', note: '已核实' })).status).toBe(403);
    const view = await page(session, '/console/notifications');
    expect(view.status).toBe(403);
    expect(view.html).toContain('您没有执行此操作的权限');
    const form = await postForm(session, `/console/notifications/${target.id}/resolve`, {
      outcome: 'delivered',
      note: '已核实',
    });
    expect(form.status).toBe(403);
    // The console home links to the page for national administrators only.
    expect((await page(session, '/console')).html).not.toContain('href="/console/notifications"');
  }
  expect((await page(national, '/console')).html).toContain('<a href="/console/notifications">在途通知</a>');
  expect(await row(target.id)).toMatchObject({ status: 'sending' });
  expect(await audits(target.id)).toEqual([]);
});

it('R14: lists rows in sending by default, newest first, recipients masked, with the member; filters by status and channel', async () => {
  const olderMail = await insert('sending', 'mail', { ageSeconds: 7200, member: true });
  const newerSms = await insert('sending', 'sms', { ageSeconds: 600 });
  const pending = await insert('pending', 'mail');
  const sent = await insert('sent', 'sms');
  const failed = await insert('failed', 'mail', { lastError: 'smtp: 550 mailbox unavailable' });

  const response = await national.get('/api/notifications?pageSize=100');
  expect(response.status).toBe(200);
  const list = await readJson(response);
  expect(list).toMatchObject({ page: 1, pageSize: 100 });
  expect(list.items.every((i: { status: string }) => i.status === 'sending')).toBe(true);
  const ids = list.items.map((i: { id: string }) => i.id);
  for (const other of [pending, sent, failed]) expect(ids).not.toContain(other.id);
  // Newest first.
  expect(ids.indexOf(newerSms.id)).toBeGreaterThanOrEqual(0);
  expect(ids.indexOf(newerSms.id)).toBeLessThan(ids.indexOf(olderMail.id));

  const mail = list.items.find((i: { id: string }) => i.id === olderMail.id);
  expect(mail).toMatchObject({
    channel: 'mail',
    status: 'sending',
    recipient: 'z***@example.com',
    template: 'claim-reminder',
    subject: '请下载您的电子会员证',
    attempts: 1,
    lastError: 'outcome unknown: connection closed',
    certificateNo: memberCertificateNo,
  });
  expect(new Date(mail.createdAt).getTime()).toBeLessThan(new Date(mail.sendingAt).getTime());
  const sms = list.items.find((i: { id: string }) => i.id === newerSms.id);
  expect(sms).toMatchObject({ channel: 'sms', certificateNo: null });
  expect(sms.recipient).toBe(`${newerSms.recipient.slice(0, 3)}****${newerSms.recipient.slice(-4)}`);
  // Neither the full recipient nor the message body ever leaves the server here.
  const text = JSON.stringify(list);
  for (const r of [olderMail, newerSms]) expect(text).not.toContain(r.recipient);
  expect(text).not.toContain('正文');

  const smsOnly = await readJson(await national.get('/api/notifications?channel=sms&pageSize=100'));
  expect(smsOnly.items.every((i: { channel: string }) => i.channel === 'sms')).toBe(true);
  expect(smsOnly.items.map((i: { id: string }) => i.id)).toContain(newerSms.id);
  const failedOnes = await readJson(await national.get('/api/notifications?status=failed&pageSize=100'));
  expect(failedOnes.items.map((i: { id: string }) => i.id)).toContain(failed.id);
  expect(failedOnes.items.every((i: { status: string }) => i.status === 'failed')).toBe(true);

  const bad = await national.get('/api/notifications?status=lost&channel=fax&pageSize=500');
  expect(bad.status).toBe(400);
  expect((await readJson(bad)).fields).toEqual([
    { field: 'status', messages: ['状态只能是 sending、failed、pending 或 sent'] },
    { field: 'channel', messages: ['渠道只能是 mail（邮件）或 sms（短信）'] },
    { field: 'pageSize', messages: ['每页最多 100 条'] },
  ]);
});

it('R14: delivered sets a row in doubt to sent and audits who, what and why; a second resolution is refused', async () => {
  const target = await insert('sending', 'mail', { member: true });
  const done = await resolve(national, target.id, { outcome: 'delivered', note: '  已向邮件服务器核实：250 已投递  ' });
  expect(done.status).toBe(200);
  expect(done.body).toMatchObject({ id: target.id, status: 'sent', recipient: 'z***@example.com', attempts: 1 });
  const after = await row(target.id);
  expect(after).toMatchObject({ status: 'sent', attempts: 1 });
  expect(after.sent_at).not.toBeNull();
  expect(Date.now() - after.sent_at!.getTime()).toBeLessThan(60_000);

  const events = await audits(target.id);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    action: 'notification.resolve',
    actor_id: nationalId,
    actor_label: nationalUsername,
    detail: {
      outcome: 'delivered',
      note: '已向邮件服务器核实：250 已投递',
      previousStatus: 'sending',
      status: 'sent',
      channel: 'mail',
      certificateNo: memberCertificateNo,
      recipient: 'z***@example.com',
    },
  });
  expect(JSON.stringify(events[0].detail)).not.toContain(target.recipient);

  for (const outcome of ['delivered', 'resend']) {
    const again = await resolve(national, target.id, { outcome, note: '再次处理' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('NOTIFICATION_NOT_RESOLVABLE');
    expect(again.body.message).toContain('该通知当前为“已发送”');
  }
  expect(await audits(target.id)).toHaveLength(1);
});

it('R14: a row handed over minutes ago may still be on its way: resend is refused, delivered is not', async () => {
  const national = await login('nationalAdmin', null);
  const recent = await insert('sending', 'sms', { ageSeconds: 120 });
  const refused = await resolve(national, recent.id, { outcome: 'resend', note: '刚交付，先重发试试' });
  expect(refused.status).toBe(409);
  expect(refused.body).toMatchObject({ code: 'NOTIFICATION_MAY_BE_IN_FLIGHT' });
  const [{ status }] = await api.dataSource.query(`SELECT status FROM notifications WHERE id = $1`, [recent.id]);
  expect(status).toBe('sending');
  expect((await resolve(national, recent.id, { outcome: 'delivered', note: '网关回执已到' })).status).toBe(200);
});

it('R14: resend puts a row in doubt or a failed one back to pending at once, attempts kept', async () => {
  const inDoubt = await insert('sending', 'sms', { attempts: 2 });
  const resent = await resolve(national, inDoubt.id, { outcome: 'resend', note: '网关无此短信记录，重新发送' });
  expect(resent.status).toBe(200);
  expect(resent.body).toMatchObject({ status: 'pending', attempts: 2 });
  expect(await row(inDoubt.id)).toMatchObject({
    status: 'pending',
    attempts: 2,
    next_attempt_at: null,
    sent_at: null,
    // Kept: the history of the row stays readable.
    last_error: 'outcome unknown: connection closed',
  });
  expect((await audits(inDoubt.id)).map((e) => [e.action, e.detail.outcome, e.detail.previousStatus])).toEqual([
    ['notification.resolve', 'resend', 'sending'],
  ]);
  // Now pending: neither outcome applies any more.
  expect((await resolve(national, inDoubt.id, { outcome: 'resend', note: '再次处理' })).status).toBe(409);

  const failed = await insert('failed', 'mail', { attempts: 5, lastError: 'smtp: 550 mailbox unavailable' });
  // A failed row was refused by the server: nothing to confirm as delivered, but it may be sent again.
  const notDelivered = await resolve(national, failed.id, { outcome: 'delivered', note: '已核实' });
  expect(notDelivered.status).toBe(409);
  expect(notDelivered.body.message).toContain('只有“在途”的通知可以确认已送达');
  expect((await resolve(national, failed.id, { outcome: 'resend', note: '邮箱已修复，重新发送' })).status).toBe(200);
  expect(await row(failed.id)).toMatchObject({ status: 'pending', attempts: 5, next_attempt_at: null });
});

it('R14: a sent or pending row, an unknown id and a bad body are refused with Chinese messages', async () => {
  const sent = await insert('sent', 'mail');
  const pending = await insert('pending', 'sms');
  for (const target of [sent, pending]) {
    for (const outcome of ['delivered', 'resend']) {
      const refused = await resolve(national, target.id, { outcome, note: '已核实' });
      expect(refused.status).toBe(409);
      expect(refused.body.message).toMatch(/^该通知当前为“(已发送|待发送)”/);
    }
  }
  for (const id of [randomUUID(), 'not-a-uuid']) {
    const missing = await resolve(national, id, { outcome: 'delivered', note: '已核实' });
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('未找到该通知。');
  }

  const target = await insert('sending', 'mail');
  const empty = await resolve(national, target.id, {});
  expect(empty.status).toBe(400);
  expect(empty.body.code).toBe('VALIDATION_FAILED');
  expect(empty.body.fields).toEqual([
    { field: 'outcome', messages: ['处理结果只能是 delivered（已送达）或 resend（重新发送）'] },
    { field: 'note', messages: expect.arrayContaining(['请填写处理说明', '处理说明应为 2–500 个字符']) },
  ]);
  const bad = await resolve(national, target.id, { outcome: 'ignore', note: ' 好 ' });
  expect(bad.status).toBe(400);
  expect(bad.body.fields).toEqual([
    { field: 'outcome', messages: ['处理结果只能是 delivered（已送达）或 resend（重新发送）'] },
    { field: 'note', messages: ['处理说明应为 2–500 个字符'] },
  ]);
  const long = await resolve(national, target.id, { outcome: 'delivered', note: '查'.repeat(501) });
  expect(long.status).toBe(400);
  expect(long.body.message).toContain('处理说明应为 2–500 个字符');
  expect(await row(target.id)).toMatchObject({ status: 'sending' });
  expect(await audits(target.id)).toEqual([]);
});

it('R14: of two operators resolving the same row at once, exactly one succeeds', async () => {
  const target = await insert('sending', 'mail');
  const other = await login('nationalAdmin', null);
  const results = await Promise.all([
    resolve(national, target.id, { outcome: 'delivered', note: '甲：已核实送达' }),
    resolve(other, target.id, { outcome: 'resend', note: '乙：重新发送' }),
  ]);
  expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  const winner = results.find((r) => r.status === 200)!;
  expect(await row(target.id)).toMatchObject({ status: winner.body.status });
  expect(await audits(target.id)).toHaveLength(1);
});

it('R14: the console page lists rows in doubt, explains sending, and its form resolves a row with a Chinese message', async () => {
  const older = await insert('sending', 'mail', { ageSeconds: 1800, member: true });
  const newer = await insert('sending', 'sms', { ageSeconds: 900 });
  // Handed over a minute ago: maybe still on its way.
  const fresh = await insert('sending', 'mail', { ageSeconds: 60 });
  const failed = await insert('failed', 'mail', { lastError: 'smtp: 550 mailbox unavailable' });

  const view = await page(national, '/console/notifications');
  expect(view.status).toBe(200);
  expect(view.html).toContain('“在途（sending）”表示');
  expect(view.html).toContain('所以系统不会自行重发');
  const olderRow = pageRow(view.html, older.id)!;
  expect(olderRow).toContain('data-status="sending"');
  expect(olderRow).toContain('data-field="recipient">z***@example.com<');
  expect(olderRow).toContain(`href="/console/members/${memberCertificateNo}"`);
  expect(olderRow).toContain(`action="/console/notifications/${older.id}/resolve"`);
  expect(olderRow).toMatch(/name="outcome" value="delivered"/);
  expect(olderRow).toMatch(/name="outcome" value="resend"/);
  expect(olderRow).not.toContain('data-in-flight');
  expect(pageRow(view.html, fresh.id)).toContain('data-in-flight');
  expect(view.html).not.toContain(older.recipient);
  expect(view.html.indexOf(`data-notification="${newer.id}"`)).toBeLessThan(
    view.html.indexOf(`data-notification="${older.id}"`),
  );
  expect(pageRow(view.html, failed.id)).toBeUndefined();

  // Filtered to failed mails: only "resend" is offered, and the filter travels with the form.
  const failedView = await page(national, '/console/notifications?status=failed&channel=mail');
  expect(failedView.status).toBe(200);
  const failedRow = pageRow(failedView.html, failed.id)!;
  expect(failedRow).not.toMatch(/value="delivered"/);
  expect(failedRow).toMatch(/name="outcome" value="resend"/);
  expect(failedRow).toContain('name="status" value="failed"');
  expect(failedRow).toContain('name="channel" value="mail"');
  expect((await page(national, '/console/notifications?status=lost')).status).toBe(400);

  // Without a note: the form again, the message next to the field, nothing changed.
  const bad = await postForm(national, `/console/notifications/${older.id}/resolve`, {
    status: 'sending',
    page: '1',
    outcome: 'delivered',
    note: '',
  });
  expect(bad.status).toBe(400);
  const badRow = pageRow(bad.html, older.id)!;
  expect(badRow).toContain('class="field-error" data-field="note">处理说明应为 2–500 个字符<');
  expect(badRow).toContain('处理失败：填写的内容有误');
  expect(badRow).toMatch(/name="outcome" value="delivered" required checked/);
  expect(await row(older.id)).toMatchObject({ status: 'sending' });

  const done = await postForm(national, `/console/notifications/${older.id}/resolve`, {
    status: 'sending',
    page: '1',
    outcome: 'delivered',
    note: '已向邮件服务器核实已投递',
  });
  expect([done.status, done.location]).toEqual([303, '/console/notifications?status=sending&ok=delivered']);
  expect(await row(older.id)).toMatchObject({ status: 'sent' });
  expect((await audits(older.id)).map((e) => [e.actor_label, e.detail.outcome, e.detail.note])).toEqual([
    [nationalUsername, 'delivered', '已向邮件服务器核实已投递'],
  ]);
  const after = await page(national, done.location!);
  expect(after.html).toContain('已确认送达：该通知已记为“已发送”，系统不会再发送。');
  expect(pageRow(after.html, older.id)).toBeUndefined();

  const resent = await postForm(national, `/console/notifications/${failed.id}/resolve`, {
    status: 'failed',
    channel: 'mail',
    page: '1',
    outcome: 'resend',
    note: '收件邮箱已更正，重新发送',
  });
  expect([resent.status, resent.location]).toEqual([
    303,
    '/console/notifications?status=failed&channel=mail&ok=resend',
  ]);
  expect(await row(failed.id)).toMatchObject({ status: 'pending', next_attempt_at: null });
  expect((await page(national, resent.location!)).html).toContain('已安排重新发送');

  // The same form sent again (another operator was first): the page says so instead of changing anything.
  const twice = await postForm(national, `/console/notifications/${older.id}/resolve`, {
    status: 'sending',
    page: '1',
    outcome: 'resend',
    note: '重新发送',
  });
  expect(twice.status).toBe(409);
  expect(twice.html).toContain('该通知当前为“已发送”，只有“在途”或“发送失败”的通知可以重新发送');
  expect(await row(older.id)).toMatchObject({ status: 'sent' });
  expect(await audits(older.id)).toHaveLength(1);
});
