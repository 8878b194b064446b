import { DataSource } from 'typeorm';
import { dataSourceOptions, MIGRATIONS_TABLE } from './data-source';

/** Serialises migration runs of processes that start together (api and worker); any constant will do. */
const MIGRATION_LOCK_KEY = 7_241_020_034;

async function withMigrationLock<T>(url: string, work: (ds: DataSource) => Promise<T>): Promise<T> {
  const ds = new DataSource(dataSourceOptions(url, { logging: ['error'] }));
  await ds.initialize();
  // A session-level lock on a connection of its own: TypeORM runs the migrations on
  // other connections, and the lock holds until we release it.
  const lock = ds.createQueryRunner();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await work(ds);
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lock.release();
    await ds.destroy();
  }
}

/** Applies pending migrations (all in one transaction); returns the names applied. */
export async function runMigrations(url: string): Promise<string[]> {
  return withMigrationLock(url, async (ds) => {
    const applied = await ds.runMigrations({ transaction: 'all' });
    return applied.map((m) => m.name);
  });
}

/** Reverts every applied migration, newest first; returns the names reverted. For tests and `cli revert`. */
export async function revertAllMigrations(url: string): Promise<string[]> {
  return withMigrationLock(url, async (ds) => {
    const reverted: string[] = [];
    for (;;) {
      const [{ exists }] = await ds.query(`SELECT to_regclass($1) IS NOT NULL AS exists`, [MIGRATIONS_TABLE]);
      if (!exists) break;
      const rows: { name: string }[] = await ds.query(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id DESC LIMIT 1`);
      if (rows.length === 0) break;
      await ds.undoLastMigration({ transaction: 'each' });
      reverted.push(rows[0].name);
    }
    return reverted;
  });
}
