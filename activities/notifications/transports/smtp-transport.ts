/**
 * Mail through an SMTP server (nodemailer), configured by SMTP_URL.
 *
 * One connection per message, on purpose: nodemailer's pool re-queues a message whose connection closed while it
 * was being sent and tries it again on another connection, which could deliver it twice. Without the pool,
 * nodemailer never repeats a message by itself; the delivery activity decides about retries from the error.
 *
 * SMTP has no idempotency key, so the error decides whether the message can have arrived:
 * - the server answered with a reply code: it refused this message. 5xx (except 503, a session state problem)
 *   is permanent, 4xx and 503 are temporary (RFC 5321).
 * - nothing reached the server (no DNS, connection refused, no greeting, TLS or log-in refused): temporary.
 *   A rejected log-in is our setting, not the message, so it is not held against the message.
 * - the connection broke or went silent in the middle of the session: unknown. The server may already have the
 *   message (e.g. the final `250` of DATA was lost), so it is not sent again automatically.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import { DeliveryError, type DeliveryFailureKind, type NotificationTransport, type OutgoingMessage } from './transport';

export interface SmtpOptions {
  /** `smtp://user:pass@host:587` or `smtps://user:pass@host:465`. */
  readonly url: string;
  /** The From header. */
  readonly from: string;
  /** Connection, greeting and idle-socket timeout. */
  readonly timeoutMs: number;
}

/** Nodemailer's error properties that say where a session failed (see nodemailer's NodemailerError). */
interface SmtpErrorLike {
  readonly code?: string;
  readonly responseCode?: number;
  readonly originalCode?: string;
  readonly timeoutType?: string;
}

/** Codes for failures before the server could have received a message. */
const NOT_SENT_CODES = new Set([
  'EDNS',
  'ETLS',
  'EAUTH',
  'ENOAUTH',
  'EOAUTH2',
  'EPROXY',
  'EREQUIRETLS',
  'ECONFIG',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
/** Timeouts while still connecting, waiting for the greeting or upgrading to TLS. */
const NOT_SENT_TIMEOUTS = new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT']);

/** What a failed nodemailer send means for the message. */
export function classifySmtpError(error: unknown): DeliveryFailureKind {
  const e = (error ?? {}) as SmtpErrorLike;
  // Before the reply code: a refused log-in carries 535, which would otherwise read as a permanent refusal.
  if (e.code !== undefined && NOT_SENT_CODES.has(e.code)) return 'temporary';
  if (e.originalCode !== undefined && NOT_SENT_CODES.has(e.originalCode)) return 'temporary';
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) {
    return e.responseCode >= 500 && e.responseCode !== 503 ? 'permanent' : 'temporary';
  }
  if (e.code === 'ETIMEDOUT' && e.timeoutType !== undefined && NOT_SENT_TIMEOUTS.has(e.timeoutType)) {
    return 'temporary';
  }
  // Refused by nodemailer itself before any command went out (an invalid address, a message over the size limit).
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return 'permanent';
  return 'unknown';
}

export class SmtpTransport implements NotificationTransport {
  readonly name = 'smtp';
  private readonly mailer: Transporter;
  private readonly messageIdDomain: string;

  constructor(private readonly options: SmtpOptions) {
    this.mailer = nodemailer.createTransport({
      url: options.url,
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
      // Bodies are our own templates' plain text; nothing may make nodemailer read files or fetch URLs.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    this.messageIdDomain = /@([^>\s]+)/.exec(options.from)?.[1] ?? 'cicpa.example';
  }

  async send(message: OutgoingMessage): Promise<void> {
    try {
      await this.mailer.sendMail({
        from: this.options.from,
        to: message.recipient,
        subject: message.subject ?? '中国注册会计师协会通知',
        text: message.body,
        // The outbox row's id: a mail that turns up twice, or a bounce, can be traced to its row.
        messageId: `<${message.id}@${this.messageIdDomain}>`,
      });
    } catch (error) {
      const e = error as SmtpErrorLike & { message?: string; response?: string };
      const detail = [e.code, e.responseCode, e.timeoutType].filter((x) => x !== undefined).join(' ');
      throw new DeliveryError(
        classifySmtpError(error),
        `SMTP ${detail ? `${detail}: ` : ''}${e.response ?? e.message ?? String(error)}`.slice(0, 500),
        { cause: error },
      );
    }
  }

  close(): void {
    this.mailer.close();
  }
}
