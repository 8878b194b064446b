/**
 * Delivery of the outbox (R14) on the `registry` queue, paced by the `outbox-dispatch` workflow.
 *
 * "No member receives the same reminder twice for one rhythm step, even after crashes" makes delivery at most once
 * per row:
 * 1. A row is claimed (`FOR UPDATE SKIP LOCKED`, so dispatchers on several workers never take the same row) and set
 *    to `sending` in its own committed statement, one row at a time, just before it is handed to the transport.
 * 2. The transport's answer is recorded: `sent`; `failed` when refused for good; back to `pending` with a later
 *    `next_attempt_at` when refused for now (until NOTIFICATION_MAX_ATTEMPTS); or left in `sending` with
 *    `last_error` when the outcome is unknown (the service may have the message).
 * 3. Nothing ever moves a row out of `sending` automatically. A row found there after a crash (of the worker, the
 *    database connection, or between the hand-over and step 2) may or may not have reached the member: it stays
 *    visible (`sending_at` says since when) for an operator, who checks with the mail server or gateway and sets it
 *    to `sent`, or back to `pending` to send it again. Losing a notice in a crash is the price of never sending one
 *    twice; the Temporal UI shows the count in the dispatcher's details.
 *
 * A retried activity attempt therefore never repeats a hand-over: it only claims rows that are still `pending`.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Context } from '@temporalio/activity';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { rowsOf, type NotificationChannel } from '@app/persistence';
import type {
  DeliverPendingInput,
  DeliveryCounts,
  DeliveryResult,
} from '../../workflows/notifications/outbox-dispatch.messages';
import { failureKindOf, NotificationTransports, type NotificationTransport } from './transports';

/** Rows handed over at once: SMTP sessions and gateway calls spend their time waiting on the network. */
const LANES = 4;
/** Stop claiming after this long, so one call ends well within its timeouts even against a slow server. */
const CLAIM_BUDGET_MS = 60_000;
const HEARTBEAT_MS = 5_000;
/** Longest wait between two attempts of a row. */
const MAX_RETRY_DELAY_SECONDS = 24 * 3600;

interface ClaimedRow {
  id: string;
  channel: NotificationChannel;
  recipient: string;
  subject: string | null;
  body: string;
  /** Including this hand-over. */
  attempts: number;
}

type Outcome = 'sent' | 'failed' | 'retrying' | 'unknown';

@Injectable()
export class NotificationActivities {
  private readonly logger = new Logger(NotificationActivities.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly transports: NotificationTransports,
  ) {}

  /** Hands up to `limit` pending rows of the channels that have a transport to it, each at most once. */
  async deliverPending(input: DeliverPendingInput): Promise<DeliveryResult> {
    const counts: { -readonly [K in keyof DeliveryCounts]: number } = {
      claimed: 0,
      sent: 0,
      failed: 0,
      retrying: 0,
      unknown: 0,
    };
    // A channel whose transport refused a row for now is not claimed again in this call: when a server is down,
    // each call spends one attempt of one row, not of every row in the outbox.
    const open = new Set(this.transports.channels);
    if (open.size > 0) {
      const context = Context.current();
      const stopAt = Date.now() + CLAIM_BUDGET_MS;
      const beat = setInterval(() => context.heartbeat({ ...counts }), HEARTBEAT_MS);
      const lane = async (): Promise<void> => {
        while (
          counts.claimed < input.limit &&
          open.size > 0 &&
          Date.now() < stopAt &&
          !context.cancellationSignal.aborted
        ) {
          counts.claimed += 1; // reserved before the await, so parallel lanes never exceed the limit
          const row = await this.claim([...open]);
          if (!row) {
            counts.claimed -= 1;
            return;
          }
          const outcome = await this.deliver(row);
          counts[outcome] += 1;
          if (outcome === 'retrying') open.delete(row.channel);
        }
      };
      try {
        await Promise.all(Array.from({ length: LANES }, lane));
      } finally {
        clearInterval(beat);
      }
    }
    const [{ n }] = await this.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM notifications WHERE status = 'sending'`,
    );
    return { ...counts, inDoubt: n };
  }

  /** The oldest due pending row of `channels`, set to `sending` and committed; null when there is none. */
  private async claim(channels: NotificationChannel[]): Promise<ClaimedRow | null> {
    const raw: unknown = await this.dataSource.query(
      `UPDATE notifications n
          SET status = 'sending', sending_at = now(), attempts = n.attempts + 1
        WHERE n.id = (SELECT id FROM notifications
                       WHERE status = 'pending' AND channel = ANY($1::text[])
                         AND (next_attempt_at IS NULL OR next_attempt_at <= now())
                       ORDER BY created_at, id
                       LIMIT 1
                         FOR UPDATE SKIP LOCKED)
          AND n.status = 'pending'
      RETURNING n.id, n.channel, n.recipient, n.subject, n.body, n.attempts`,
      [channels],
    );
    const rows = rowsOf<ClaimedRow>(raw);
    return rows[0] ?? null;
  }

  private async deliver(row: ClaimedRow): Promise<Outcome> {
    const transport = this.transports.of(row.channel)!;
    try {
      await transport.send(row);
    } catch (error) {
      return this.recordFailure(row, transport, error);
    }
    await this.dataSource.query(
      `UPDATE notifications SET status = 'sent', sent_at = now() WHERE id = $1 AND status = 'sending'`,
      [row.id],
    );
    return 'sent';
  }

  private async recordFailure(row: ClaimedRow, transport: NotificationTransport, error: unknown): Promise<Outcome> {
    const kind = failureKindOf(error);
    const text = `${transport.name}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 1000);
    const { maxAttempts, retryAfterSeconds } = this.config.notifications;
    if (kind === 'unknown') {
      this.logger.warn(`notification ${row.id} (${row.channel}) left in sending, outcome unknown: ${text}`);
      await this.dataSource.query(`UPDATE notifications SET last_error = $2 WHERE id = $1 AND status = 'sending'`, [
        row.id,
        `outcome unknown, not sent again automatically: ${text}`,
      ]);
      return 'unknown';
    }
    if (kind === 'permanent' || row.attempts >= maxAttempts) {
      const why = kind === 'permanent' ? text : `${text} (attempt ${row.attempts} of ${maxAttempts})`;
      this.logger.warn(`notification ${row.id} (${row.channel}) failed: ${why}`);
      await this.dataSource.query(
        `UPDATE notifications SET status = 'failed', last_error = $2 WHERE id = $1 AND status = 'sending'`,
        [row.id, why],
      );
      return 'failed';
    }
    const delay = Math.min(retryAfterSeconds * 2 ** (row.attempts - 1), MAX_RETRY_DELAY_SECONDS);
    await this.dataSource.query(
      `UPDATE notifications
          SET status = 'pending', last_error = $2, next_attempt_at = now() + make_interval(secs => $3)
        WHERE id = $1 AND status = 'sending'`,
      [row.id, text, delay],
    );
    return 'retrying';
  }
}
