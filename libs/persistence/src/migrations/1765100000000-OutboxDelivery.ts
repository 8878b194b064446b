import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Delivery of the outbox (R14): status `sending` marks a row handed to its transport whose outcome is not recorded
 * yet (at-most-once: such a row is never sent again automatically), `sending_at` says since when, and
 * `next_attempt_at` holds back a row the transport refused for now.
 */
export class OutboxDelivery1765100000000 implements MigrationInterface {
  name = 'OutboxDelivery1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notifications DROP CONSTRAINT notifications_status_check`);
    await q.query(
      `ALTER TABLE notifications ADD CONSTRAINT notifications_status_check
         CHECK (status IN ('pending', 'sending', 'sent', 'failed'))`,
    );
    await q.query(`ALTER TABLE notifications ADD COLUMN sending_at timestamptz NULL`);
    await q.query(`ALTER TABLE notifications ADD COLUMN next_attempt_at timestamptz NULL`);
    // Rows in doubt are few and looked for (dispatcher details, operators): a small partial index.
    await q.query(`CREATE INDEX notifications_sending_idx ON notifications (sending_at) WHERE status = 'sending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    // A row in doubt must not become `pending` (it would be sent again): it is recorded as failed, with why.
    await q.query(
      `UPDATE notifications
          SET status = 'failed',
              last_error = concat_ws('; ', last_error, 'outcome unknown (in sending when the OutboxDelivery migration was reverted)')
        WHERE status = 'sending'`,
    );
    await q.query(`DROP INDEX notifications_sending_idx`);
    await q.query(`ALTER TABLE notifications DROP COLUMN next_attempt_at`);
    await q.query(`ALTER TABLE notifications DROP COLUMN sending_at`);
    await q.query(`ALTER TABLE notifications DROP CONSTRAINT notifications_status_check`);
    await q.query(
      `ALTER TABLE notifications ADD CONSTRAINT notifications_status_check CHECK (status IN ('pending', 'sent', 'failed'))`,
    );
  }
}
