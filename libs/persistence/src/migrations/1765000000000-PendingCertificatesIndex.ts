import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The campaign's renderer lists the pending versions it has to render, 50 at a time, while a national campaign may
 * have created some 200,000 of them: a partial index on the pending rows keeps each listing an index range scan,
 * and it stays small because versions leave `pending` as soon as they are rendered.
 */
export class PendingCertificatesIndex1765000000000 implements MigrationInterface {
  name = 'PendingCertificatesIndex1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX certificates_pending_idx ON certificates (certificate_no, version) WHERE status = 'pending'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX certificates_pending_idx`);
  }
}
