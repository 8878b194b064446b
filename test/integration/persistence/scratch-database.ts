import { randomBytes } from 'node:crypto';
import { MIGRATIONS } from '@app/persistence';
import { Client } from 'pg';

/**
 * An extra database on the test cluster (the one DATABASE_URL points at), for tests that
 * must start from nothing or change the schema: the shared database stays untouched.
 */
export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export function sharedDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run the tests through jest.config.js (global set-up)');
  return url;
}

export async function createScratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const admin = new URL(sharedDatabaseUrl());
  admin.pathname = '/postgres';
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(admin.toString());
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: admin.toString() });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** The names of every migration, oldest first, as the migration table records them. */
export const MIGRATION_NAMES: readonly string[] = MIGRATIONS.map((Migration) => new Migration().name ?? Migration.name);
