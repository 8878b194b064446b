import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { Member } from './member.entity';

export const NOTIFICATION_CHANNELS = ['mail', 'sms'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];
export const NOTIFICATION_STATUSES = ['pending', 'sending', 'sent', 'failed'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/**
 * The outbox of mail and SMS (R14). `dedupe_key` is chosen by the caller from business keys
 * (e.g. `claim-reminder:<certificateNo>:<n>`), so a retried activity inserts nothing new and
 * a message is never sent twice.
 *
 * Delivery (activities/notifications/delivery.activities.ts) is at most once per row:
 * `pending` → `sending` (committed before the transport sees it) → `sent` or `failed`, or back
 * to `pending` with `next_attempt_at` when the transport definitely refused for now. A row left
 * in `sending` (a crash, or an answer that never came) is never sent again automatically: an
 * operator decides (docs/decisions.md, Notifications).
 */
@Entity({ name: 'notifications' })
@Unique('notifications_dedupe_key_key', ['dedupeKey'])
@Index('notifications_pending_idx', ['createdAt'], { where: `status = 'pending'` })
@Index('notifications_sending_idx', ['sendingAt'], { where: `status = 'sending'` })
@Index('notifications_member_idx', ['memberId'])
@Check('notifications_channel_check', `channel IN ('mail', 'sms')`)
@Check('notifications_status_check', `status IN ('pending', 'sending', 'sent', 'failed')`)
@Check('notifications_attempts_check', `attempts >= 0`)
export class Notification {
  @PrimaryGeneratedColumn('uuid', { name: 'id' })
  id: string;

  @Column({ name: 'channel', type: 'varchar', length: 8 })
  channel: NotificationChannel;

  /** Mail address or mobile number. */
  @Column({ name: 'recipient', type: 'text' })
  recipient: string;

  @Column({ name: 'member_id', type: 'uuid', nullable: true })
  memberId: string | null;

  @ManyToOne(() => Member, { nullable: true, onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'member_id', foreignKeyConstraintName: 'notifications_member_id_fkey' })
  member?: Member | null;

  /** Template name under templates/messages/. */
  @Column({ name: 'template', type: 'text' })
  template: string;

  @Column({ name: 'subject', type: 'text', nullable: true })
  subject: string | null;

  @Column({ name: 'body', type: 'text' })
  body: string;

  @Column({ name: 'dedupe_key', type: 'text' })
  dedupeKey: string;

  @Column({ name: 'status', type: 'varchar', length: 16, default: 'pending' })
  status: NotificationStatus;

  @Column({ name: 'attempts', type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  /** When the row was last handed to its transport; with status `sending`, how long it has been in doubt. */
  @Column({ name: 'sending_at', type: 'timestamptz', nullable: true })
  sendingAt: Date | null;

  /** A `pending` row refused for now is not claimed before this; null = at once. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null;
}
