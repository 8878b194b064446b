import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { maskEmail, maskMobile } from '@app/domain/masking';
import { appendAudit, rowsOf, type NotificationChannel, type NotificationStatus } from '@app/persistence';
import { AppException, Errors } from '../common/app-exception';
import { pageOf, type Page } from '../common/pagination';
import type { StaffPrincipal } from '../common/principal';
import type { NotificationsQuery, ResolutionOutcome } from './notifications.dto';

export const NOTIFICATION_STATUS_LABELS: Record<NotificationStatus, string> = {
  pending: '待发送',
  sending: '在途',
  sent: '已发送',
  failed: '发送失败',
};

export const NOTIFICATION_CHANNEL_LABELS: Record<NotificationChannel, string> = { mail: '邮件', sms: '短信' };

export const RESOLUTION_OUTCOME_LABELS: Record<ResolutionOutcome, string> = {
  delivered: '已送达（记为已发送）',
  resend: '重新发送',
};

/**
 * Which rows each outcome may resolve. Only an operator's check settles a row in doubt (`sending`); a `failed` row
 * was refused by the server, so there is nothing to confirm, but it may be queued again once the cause is fixed.
 */
export const RESOLVABLE_FROM: Record<ResolutionOutcome, readonly NotificationStatus[]> = {
  delivered: ['sending'],
  resend: ['sending', 'failed'],
};

/** One row of the outbox as operators see it: the recipient masked, never the message body. */
export interface NotificationItem {
  id: string;
  channel: NotificationChannel;
  status: NotificationStatus;
  /** Masked (PIPL: the minimum): `w***@example.com`, `138****5678`. */
  recipient: string;
  template: string;
  subject: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  /** When the row was last handed to its transport; for `sending`, since when it is in doubt. */
  sendingAt: Date | null;
  sentAt: Date | null;
  /** The member the notice is about, if any. */
  certificateNo: string | null;
}

/** A row as SELECT reads it: the item before masking, with the member's institute (for the audit event). */
type Row = NotificationItem & { provinceCode: string | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Notifications in doubt (R14) for national administrators: the outbox by status, and the resolution of a row the
 * dispatcher left in `sending` (the outcome is unknown, so it is never resent automatically: docs/decisions.md,
 * Notifications). Resolving is a decision about a member's message, so each one is audited with who, what and why.
 */
@Injectable()
export class NotificationsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** One page, newest first. Not audited: recipients are masked and bodies are not shown. */
  async list(query: NotificationsQuery): Promise<Page<NotificationItem>> {
    const params: unknown[] = [query.status];
    let where = `WHERE n.status = $1`;
    if (query.channel) {
      params.push(query.channel);
      where += ` AND n.channel = $${params.length}`;
    }
    const [{ total }]: { total: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS total FROM notifications n ${where}`,
      params,
    );
    const rows: Row[] = await this.dataSource.query(
      `${SELECT} ${where} ORDER BY n.created_at DESC, n.id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, query.pageSize, (query.page - 1) * query.pageSize],
    );
    return pageOf(rows.map(itemOf), total, query);
  }

  /**
   * Settles one row: `delivered` → `sent` (sent now); `resend` → `pending` with no delay, attempts kept, so the
   * dispatcher hands it over again. One conditional UPDATE decides, so of two operators (or an operator and a
   * dispatcher that records the transport's late answer) exactly one changes the row; the audit event is written in
   * the same transaction, so it exists if and only if the change does.
   */
  async resolve(
    staff: StaffPrincipal,
    id: string,
    outcome: ResolutionOutcome,
    note: string,
  ): Promise<NotificationItem> {
    if (!UUID.test(id)) throw Errors.notFound('该通知');
    const from = RESOLVABLE_FROM[outcome];
    return this.dataSource.transaction(async (manager) => {
      // The CTE locks the row and reads its status before the change (for the audit event); FOR UPDATE re-checks the
      // status against the latest committed version, so a row resolved meanwhile is not matched.
      const raw: unknown = await manager.query(
        `WITH target AS (
           SELECT id, status FROM notifications
            WHERE id = $1 AND status = ANY($2::text[])
              -- A row handed over minutes ago may still be on its way: resending it could send it twice.
              AND NOT ($4::boolean AND status = 'sending' AND sending_at > now() - make_interval(secs => $5::int))
              FOR UPDATE
         )
         UPDATE notifications n
            SET status = $3::text,
                sent_at = CASE WHEN $3::text = 'sent' THEN now() ELSE n.sent_at END,
                next_attempt_at = CASE WHEN $3::text = 'pending' THEN NULL ELSE n.next_attempt_at END
           FROM target
          WHERE n.id = target.id AND n.status = ANY($2::text[])
      RETURNING target.status AS previous_status`,
        [id, from, outcome === 'delivered' ? 'sent' : 'pending', outcome === 'resend', IN_FLIGHT_SECONDS],
      );
      const updated = rowsOf<{ previous_status: string }>(raw);
      const rows: Row[] = await manager.query(`${SELECT} WHERE n.id = $1`, [id]);
      const row = rows[0];
      if (!row) throw Errors.notFound('该通知');
      if (!updated.length && outcome === 'resend' && row.status === 'sending') {
        throw new AppException(
          'NOTIFICATION_MAY_BE_IN_FLIGHT',
          `该通知交付发送通道不足 ${IN_FLIGHT_SECONDS / 60} 分钟，可能仍在发送；为免重复发送，请稍后再处理。`,
          HttpStatus.CONFLICT,
        );
      }
      if (!updated.length) throw conflict(outcome, row.status);
      const item = itemOf(row);
      await appendAudit(manager, {
        actorType: 'staff',
        actorId: staff.id,
        actorLabel: staff.username,
        action: 'notification.resolve',
        subjectType: 'notification',
        subjectId: id,
        // The member's institute, so the event shows up where that member's other events do.
        provinceCode: row.provinceCode,
        detail: {
          outcome,
          note,
          previousStatus: updated[0].previous_status,
          status: row.status,
          channel: row.channel,
          template: row.template,
          attempts: row.attempts,
          lastError: row.lastError,
          sendingAt: row.sendingAt,
          certificateNo: row.certificateNo,
          // Masked: the audit log is read more widely than the outbox.
          recipient: item.recipient,
        },
      });
      return item;
    });
  }
}

/**
 * A row handed over this recently may still be on its way (the SMTP and gateway timeouts are seconds, not minutes):
 * it cannot be resent yet, and the console marks it.
 */
export const IN_FLIGHT_SECONDS = 5 * 60;

function conflict(outcome: ResolutionOutcome, status: NotificationStatus): AppException {
  const current = NOTIFICATION_STATUS_LABELS[status] ?? status;
  const message =
    outcome === 'delivered'
      ? `该通知当前为“${current}”，只有“在途”的通知可以确认已送达；请刷新后查看最新状态。`
      : `该通知当前为“${current}”，只有“在途”或“发送失败”的通知可以重新发送；请刷新后查看最新状态。`;
  return new AppException('NOTIFICATION_NOT_RESOLVABLE', message, HttpStatus.CONFLICT);
}

const SELECT = `SELECT n.id, n.channel, n.status, n.recipient, n.template, n.subject, n.attempts,
       n.last_error AS "lastError", n.created_at AS "createdAt", n.sending_at AS "sendingAt", n.sent_at AS "sentAt",
       m.certificate_no AS "certificateNo", m.province_code AS "provinceCode"
  FROM notifications n
  LEFT JOIN members m ON m.id = n.member_id`;

function itemOf({ provinceCode: _institute, ...row }: Row): NotificationItem {
  return { ...row, recipient: row.channel === 'mail' ? maskEmail(row.recipient) : maskMobile(row.recipient) };
}
