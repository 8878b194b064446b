/**
 * The OutboxDelivery migration (R14 delivery) on a scratch database: `sending` becomes a status, and reverting it
 * never turns a row in doubt back into `pending` (which would send it again): it is recorded as failed, with why.
 */
import { dataSourceOptions, runMigrations } from '@app/persistence';
import { DataSource, type QueryFailedError } from 'typeorm';
import { OutboxDelivery1765100000000 } from '../../../libs/persistence/src/migrations/1765100000000-OutboxDelivery';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database';

let db: ScratchDatabase;
let ds: DataSource;

beforeAll(async () => {
  db = await createScratchDatabase('outbox');
  await runMigrations(db.url);
  ds = await new DataSource(dataSourceOptions(db.url)).initialize();
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

const insert = (key: string, status: string) =>
  ds.query(
    `INSERT INTO notifications (channel, recipient, template, body, dedupe_key, status)
     VALUES ('sms', '13800000000', 't', '正文', $1, $2)`,
    [key, status],
  );

async function sqlState(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as QueryFailedError & { driverError?: { code?: string } }).driverError?.code ?? 'unknown';
  }
}

it('allows `sending`, and its down records rows in doubt as failed instead of pending', async () => {
  expect(await sqlState(insert('a', 'sending'))).toBeUndefined();
  expect(await sqlState(insert('b', 'pending'))).toBeUndefined();
  expect(await sqlState(insert('c', 'delivered'))).toBe('23514');

  const migration = new OutboxDelivery1765100000000();
  const runner = ds.createQueryRunner();
  try {
    await migration.down(runner);
    expect(await ds.query(`SELECT dedupe_key, status, last_error FROM notifications ORDER BY dedupe_key`)).toEqual([
      {
        dedupe_key: 'a',
        status: 'failed',
        last_error: 'outcome unknown (in sending when the OutboxDelivery migration was reverted)',
      },
      { dedupe_key: 'b', status: 'pending', last_error: null },
    ]);
    expect(await sqlState(insert('d', 'sending'))).toBe('23514');
    const columns: { name: string }[] = await ds.query(
      `SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'notifications'
          AND column_name IN ('sending_at', 'next_attempt_at')`,
    );
    expect(columns).toEqual([]);

    await migration.up(runner);
    expect(await sqlState(insert('d', 'sending'))).toBeUndefined();
    // Back to exactly what the entities describe.
    const diff = await ds.driver.createSchemaBuilder().log();
    expect(diff.upQueries.map((q) => q.query)).toEqual([]);
  } finally {
    await runner.release();
  }
});
