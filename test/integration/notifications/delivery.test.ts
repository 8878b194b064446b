/**
 * Delivery of the outbox (R14) end to end: the real worker, started with the `smtp` mail transport against a real
 * SMTP server (smtp-server) and the `http` SMS transport against a real HTTP gateway, both in this test, starts the
 * `outbox-dispatch` workflow by itself and delivers rows enqueued through the outbox with the real templates.
 * Each notice arrives exactly once with its Chinese subject and text; refusals for now are retried (attempts and
 * errors recorded), refusals for good fail, and a row whose outcome is unknown (a lost answer, a crash) is never
 * sent again.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { DataSource } from 'typeorm';
import { enqueue, type OutboxMessage } from '@app/activities/notifications/outbox';
import { TASK_QUEUES, workflowIds } from '@app/temporal';
import { outboxDispatchStatusQuery } from '../../../workflows/notifications/outbox-dispatch.messages';
import { requireEnv } from '../../support/env';
import { startWorker } from '../../support/worker';

jest.setTimeout(180_000);

const SMTP_USER = 'cicpa-mailer';
const SMTP_PASSWORD = 'mail-secret';
const SMS_TOKEN = 'sms-gateway-token';
/** Unique per run: the database is shared with other test files, whose rows this dispatcher delivers too. */
const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const mobile = (n: number) => `139${String(Date.now() % 1e6).padStart(6, '0')}${n}`.slice(0, 11);

const VARS = {
  name: '张三',
  certificateNo: '110000000123',
  deadline: '2025年12月31日',
  instituteName: '北京注册会计师协会',
};
const to = {
  mail: `zhang.${tag}@example.com`,
  busyMail: `busy-once.${tag}@example.com`,
  goneMail: `nobody.${tag}@example.com`,
  silentMail: `hang.${tag}@example.com`,
  doubtMail: `in-doubt.${tag}@example.com`,
  sms: mobile(1),
  flakySms: mobile(2),
  badSms: mobile(3),
};

interface ReceivedMail {
  rcpt: string;
  user: string | undefined;
  headers: Record<string, string>;
  body: string;
}
interface ReceivedSms {
  to: string;
  text: string;
  idempotencyKey: string;
  authorization: string | undefined;
  status: number;
}

const mails: ReceivedMail[] = [];
const rcptAttempts: string[] = [];
const smsRequests: ReceivedSms[] = [];
let smtp: SMTPServer;
let gateway: Server;
let worker: INestApplicationContext | undefined;
let connection: Connection;
let client: Client;
let ds: DataSource;

// --- a little MIME, enough for what nodemailer writes (RFC 2047 words, base64 or quoted-printable text)

function decodeWords(value: string): string {
  return value.replace(/=\?utf-8\?[bq]\?[^?]*\?=(?:\s+=\?utf-8\?[bq]\?[^?]*\?=)*/gi, (run) =>
    Buffer.concat(
      [...run.matchAll(/=\?utf-8\?([bq])\?([^?]*)\?=/gi)].map(([, encoding, text]) =>
        encoding.toLowerCase() === 'b'
          ? Buffer.from(text, 'base64')
          : Buffer.from(
              text
                .replace(/_/g, ' ')
                .replace(/=([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
              'latin1',
            ),
      ),
    ).toString('utf8'),
  );
}

function parseMail(raw: string): { headers: Record<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headers: Record<string, string> = {};
  for (const line of raw
    .slice(0, split)
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n')) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = decodeWords(line.slice(colon + 1).trim());
  }
  const encoded = raw.slice(split + 4);
  const encoding = headers['content-transfer-encoding']?.toLowerCase();
  const body =
    encoding === 'base64'
      ? Buffer.from(encoded.replace(/\s+/g, ''), 'base64').toString('utf8')
      : encoding === 'quoted-printable'
        ? Buffer.from(
            encoded
              .replace(/=\r\n/g, '')
              .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
            'latin1',
          ).toString('utf8')
        : encoded;
  return { headers, body: body.replace(/\r\n/g, '\n').trim() };
}

// --- the servers

function startSmtp(): Promise<number> {
  smtp = new SMTPServer({
    logger: false,
    // Plain SMTP on 127.0.0.1 with a log-in: the credentials of SMTP_URL must be used.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    closeTimeout: 100,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('认证失败'), { responseCode: 535 }));
    },
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      rcptAttempts.push(address.address);
      if (address.address === to.busyMail && rcptAttempts.filter((a) => a === to.busyMail).length === 1) {
        return callback(Object.assign(new Error('mailbox busy, try again later'), { responseCode: 451 }));
      }
      if (address.address === to.goneMail) {
        return callback(Object.assign(new Error('no such user here'), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const rcpt = session.envelope.rcptTo[0].address;
        mails.push({
          rcpt,
          user: session.user as string | undefined,
          ...parseMail(Buffer.concat(chunks).toString('latin1')),
        });
        // Takes the message and never answers: the client cannot know whether it was accepted.
        if (rcpt === to.silentMail) return;
        callback();
      });
    },
  });
  return new Promise((resolve) =>
    smtp.listen(0, '127.0.0.1', () => resolve((smtp.server.address() as AddressInfo).port)),
  );
}

async function readJson(req: IncomingMessage): Promise<{ to: string; text: string; idempotencyKey: string }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function startGateway(): Promise<number> {
  gateway = createServer((req, res) => {
    void readJson(req).then((body) => {
      const authorization = req.headers.authorization;
      const seen = smsRequests.filter((r) => r.to === body.to).length;
      const status =
        authorization !== `Bearer ${SMS_TOKEN}`
          ? 401
          : body.to === to.badSms
            ? 400
            : body.to === to.flakySms && seen === 0
              ? 500
              : 200;
      smsRequests.push({ ...body, authorization, status });
      const answer =
        status === 200 ? { id: `gw-${smsRequests.length}` } : { error: status === 400 ? '号码无效' : '网关繁忙' };
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  gateway.listen(0, '127.0.0.1');
  await once(gateway, 'listening');
  return (gateway.address() as AddressInfo).port;
}

// --- the outbox

interface Row {
  id: string;
  status: string;
  attempts: number;
  last_error: string | null;
  sent_at: Date | null;
  sending_at: Date | null;
}

async function row(recipient: string): Promise<Row> {
  const [found] = await ds.query<Row[]>(
    `SELECT id, status, attempts, last_error, sent_at, sending_at FROM notifications WHERE recipient = $1`,
    [recipient],
  );
  return found;
}

/** Polls (in real time) until `ok`. */
async function eventually<T>(fn: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  const until = Date.now() + 90_000;
  for (;;) {
    const value = await fn();
    if (ok(value)) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function terminateDispatcher(): Promise<void> {
  try {
    await client.workflow.getHandle(workflowIds.outboxDispatch()).terminate('delivery test');
  } catch (error) {
    // Not running: nothing to stop.
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
}

async function dispatcherRunning(): Promise<boolean> {
  try {
    const described = await client.workflow.getHandle(workflowIds.outboxDispatch()).describe();
    return described.status.name === 'RUNNING';
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

beforeAll(async () => {
  connection = await Connection.connect({ address: requireEnv('TEMPORAL_ADDRESS') });
  client = new Client({ connection, namespace: requireEnv('TEMPORAL_NAMESPACE') });
  await terminateDispatcher();
});

afterAll(async () => {
  if (client) await terminateDispatcher();
  await worker?.close();
  await connection?.close();
  if (smtp) await new Promise<void>((resolve) => smtp.close(() => resolve()));
  if (gateway) {
    gateway.closeAllConnections();
    gateway.close();
  }
});

it('with the default settings (both transports `outbox`) the worker starts no dispatcher', async () => {
  const plain = await startWorker();
  try {
    expect(await dispatcherRunning()).toBe(false);
  } finally {
    await plain.close();
  }
});

it('R14: delivers every mail and SMS once, retries refusals for now, fails refusals for good, never resends a row in doubt', async () => {
  const [smtpPort, gatewayPort] = await Promise.all([startSmtp(), startGateway()]);
  worker = await startWorker({
    MAIL_TRANSPORT: 'smtp',
    SMTP_URL: `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${smtpPort}`,
    SMTP_TIMEOUT: '2s',
    SMS_TRANSPORT: 'http',
    SMS_GATEWAY_URL: `http://127.0.0.1:${gatewayPort}/v1/messages`,
    SMS_GATEWAY_TOKEN: SMS_TOKEN,
    SMS_GATEWAY_TIMEOUT: '2s',
    NOTIFICATION_POLL_INTERVAL: '1s',
    NOTIFICATION_RETRY_AFTER: '1s',
    NOTIFICATION_MAX_ATTEMPTS: '3',
  });
  ds = worker.get(DataSource);
  // The worker started the dispatcher itself, on the registry queue.
  const described = await client.workflow.getHandle(workflowIds.outboxDispatch()).describe();
  expect(described).toMatchObject({ type: 'outboxDispatch', taskQueue: TASK_QUEUES.registry });
  expect(described.status.name).toBe('RUNNING');

  // A row already handed to a transport by a worker that then crashed: its outcome is unknown.
  await ds.query(
    `INSERT INTO notifications (channel, recipient, template, subject, body, dedupe_key, status, attempts, sending_at)
     VALUES ('mail', $1, 'campaign-invite.mail', '申领提醒', '正文', $2, 'sending', 1, now() - interval '1 hour')`,
    [to.doubtMail, `delivery-test:${tag}:in-doubt`],
  );
  const mail = (recipient: string, key: string): OutboxMessage => ({
    channel: 'mail',
    recipient,
    template: 'campaign-invite.mail',
    vars: VARS,
    dedupeKey: `delivery-test:${tag}:${key}`,
  });
  await ds.transaction((manager) =>
    enqueue(manager, [
      mail(to.mail, 'invite-mail'),
      {
        channel: 'sms',
        recipient: to.sms,
        template: 'campaign-invite.sms',
        vars: VARS,
        dedupeKey: `delivery-test:${tag}:invite-sms`,
      },
      {
        channel: 'sms',
        recipient: to.flakySms,
        template: 'campaign-reminder.sms',
        vars: { ...VARS, step: 2 },
        dedupeKey: `delivery-test:${tag}:remind-sms`,
      },
      {
        channel: 'sms',
        recipient: to.badSms,
        template: 'campaign-invite.sms',
        vars: VARS,
        dedupeKey: `delivery-test:${tag}:bad-sms`,
      },
      mail(to.busyMail, 'busy'),
      mail(to.goneMail, 'gone'),
      mail(to.silentMail, 'silent'),
    ]),
  );

  const final = (r: Row) =>
    r.status === 'sent' || r.status === 'failed' || (r.status === 'sending' && r.last_error !== null);
  for (const recipient of [to.mail, to.sms, to.flakySms, to.badSms, to.busyMail, to.goneMail, to.silentMail]) {
    await eventually(() => row(recipient), final, `the row of ${recipient} to settle`);
  }
  // A few more polls: nothing may be sent again.
  await new Promise((r) => setTimeout(r, 4_000));

  // The invitation by mail: once, with its Chinese subject and text, through the configured log-in.
  const invitation = mails.filter((m) => m.rcpt === to.mail);
  expect(invitation).toHaveLength(1);
  const invitationRow = await row(to.mail);
  expect(invitation[0]).toMatchObject({
    user: SMTP_USER,
    headers: {
      from: '中国注册会计师协会 <noreply@cicpa.example>',
      to: to.mail,
      subject: '请在线申领电子非执业会员证（证书编号 110000000123）',
      'message-id': `<${invitationRow.id}@cicpa.example>`,
    },
  });
  expect(invitation[0].body).toMatch(
    /^张三：\n\n自 2021 年 1 月 1 日起，中国注册会计师协会向非执业会员颁发电子非执业会员证/,
  );
  expect(invitation[0].body).toContain('请在 2025年12月31日 之前登录行业管理信息系统');
  expect(invitation[0].body).toContain('如有疑问，请联系北京注册会计师协会。');
  expect(invitationRow).toMatchObject({ status: 'sent', attempts: 1, last_error: null });
  expect(invitationRow.sent_at).toBeInstanceOf(Date);
  expect(invitationRow.sending_at).toBeInstanceOf(Date);

  // The invitation by SMS: once, {to, text, idempotencyKey} with the bearer token.
  const invitationSmsRow = await row(to.sms);
  expect(smsRequests.filter((r) => r.to === to.sms)).toEqual([
    {
      to: to.sms,
      text:
        '【中注协】张三：请于2025年12月31日前登录行业管理信息系统，在“基本信息→下载会员证”中申领电子非执业会员证' +
        '（证书编号 110000000123），2025年12月31日起纸质会员证不再有效。如有疑问请联系北京注册会计师协会。',
      idempotencyKey: invitationSmsRow.id,
      authorization: `Bearer ${SMS_TOKEN}`,
      status: 200,
    },
  ]);
  expect(invitationSmsRow).toMatchObject({ status: 'sent', attempts: 1, last_error: null });

  // The reminder by SMS: the gateway answered 500, then 200 to the repeat with the same key; delivered once.
  const reminderRow = await row(to.flakySms);
  const reminderRequests = smsRequests.filter((r) => r.to === to.flakySms);
  expect(reminderRequests.map((r) => [r.status, r.idempotencyKey])).toEqual([
    [500, reminderRow.id],
    [200, reminderRow.id],
  ]);
  expect(reminderRequests[1].text).toBe(
    '【中注协】张三：您尚未申领电子非执业会员证（证书编号 110000000123，第2次提醒）。请于2025年12月31日前登录行业管理信息系统，' +
      '在“基本信息→下载会员证”中完成申领，2025年12月31日起纸质会员证不再有效。如有疑问请联系北京注册会计师协会。',
  );
  expect(reminderRow).toMatchObject({ status: 'sent', attempts: 2 });
  expect(reminderRow.last_error).toContain('SMS gateway answered 500');

  // An invalid number: refused for good on the first answer, never asked again.
  expect(smsRequests.filter((r) => r.to === to.badSms)).toHaveLength(1);
  const badRow = await row(to.badSms);
  expect(badRow).toMatchObject({ status: 'failed', attempts: 1, sent_at: null });
  expect(badRow.last_error).toBe('http: SMS gateway answered 400: {"error":"号码无效"}');

  // SMTP 451 at RCPT (greylisting): tried again and delivered once.
  expect(rcptAttempts.filter((a) => a === to.busyMail)).toHaveLength(2);
  expect(mails.filter((m) => m.rcpt === to.busyMail)).toHaveLength(1);
  const busyRow = await row(to.busyMail);
  expect(busyRow).toMatchObject({ status: 'sent', attempts: 2 });
  expect(busyRow.last_error).toContain('451');

  // SMTP 550: failed at once.
  expect(rcptAttempts.filter((a) => a === to.goneMail)).toHaveLength(1);
  const goneRow = await row(to.goneMail);
  expect(goneRow).toMatchObject({ status: 'failed', attempts: 1 });
  expect(goneRow.last_error).toContain('550 no such user here');

  // The server took the message and never answered: it may have it, so it stays in `sending`, never resent.
  expect(mails.filter((m) => m.rcpt === to.silentMail)).toHaveLength(1);
  const silentRow = await row(to.silentMail);
  expect(silentRow).toMatchObject({ status: 'sending', attempts: 1, sent_at: null });
  expect(silentRow.last_error).toMatch(/^outcome unknown, not sent again automatically: smtp: SMTP ETIMEDOUT/);

  // The row left in `sending` by a crash: untouched, and nothing reached the server for it.
  expect(await row(to.doubtMail)).toMatchObject({ status: 'sending', attempts: 1, last_error: null });
  expect(rcptAttempts).not.toContain(to.doubtMail);

  // The Temporal UI shows the counts.
  const status = await client.workflow.getHandle(workflowIds.outboxDispatch()).query(outboxDispatchStatusQuery);
  expect(status.totals.sent).toBeGreaterThanOrEqual(4);
  expect(status.totals.failed).toBeGreaterThanOrEqual(2);
  expect(status.totals.unknown).toBeGreaterThanOrEqual(1);
  expect(status.inDoubt).toBeGreaterThanOrEqual(2);
});
