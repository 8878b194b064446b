/**
 * The database CLI (`node dist/libs/persistence/src/cli.js …`) through its `main()`, on a
 * database of its own: one-line errors and exit codes a script can rely on.
 */
import { main, type CliIo } from '@app/persistence/cli';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createScratchDatabase, MIGRATION_NAMES, type ScratchDatabase } from './scratch-database';

function capture(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

async function count(url: string, table: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${table}`);
    return rows[0].n;
  } finally {
    await client.end();
  }
}

describe('persistence CLI', () => {
  let db: ScratchDatabase;
  let blobDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    db = await createScratchDatabase('cli');
    blobDir = mkdtempSync(path.join(tmpdir(), 'cli-blobs-'));
    env = { DATABASE_URL: db.url, BLOB_DIR: blobDir, DEMO_PASSWORD: 'Demo-2026!', NODE_ENV: 'test' };
  });

  afterAll(async () => {
    await db?.drop();
    if (blobDir) rmSync(blobDir, { recursive: true, force: true });
  });

  it('refuses to seed an unmigrated database, then migrates, seeds, skips with --if-empty and reverts', async () => {
    let io = capture();
    expect(await main(['seed', '--members', '40'], env, io)).toBe(2);
    expect(io.errors).toEqual(['cli seed: the database has no schema yet: run `migrate` first']);

    io = capture();
    expect(await main(['migrate'], env, io)).toBe(0);
    expect(io.lines).toEqual([`migrate: applied ${MIGRATION_NAMES.join(', ')}`]);
    io = capture();
    expect(await main(['migrate'], env, io)).toBe(0);
    expect(io.lines).toEqual(['migrate: schema is up to date']);

    io = capture();
    expect(await main(['seed', '--members', '40', '--if-empty'], env, io)).toBe(0);
    expect(io.lines[0]).toMatch(/^seed: 66 staff accounts, 40 members, /);
    expect(await count(db.url, 'members')).toBe(40);

    io = capture();
    expect(await main(['seed', '--members=40', '--if-empty'], env, io)).toBe(0);
    expect(io.lines).toEqual(['seed: database already has data, nothing to do (--if-empty)']);
    expect(await count(db.url, 'members')).toBe(40);

    io = capture();
    expect(await main(['revert'], env, io)).toBe(0);
    expect(io.lines).toEqual([`revert: reverted ${[...MIGRATION_NAMES].reverse().join(', ')}`]);
    await expect(count(db.url, 'members')).rejects.toThrow(/does not exist/);
  });

  it.each([
    [[], {}, /^cli: usage: cli <migrate \| revert \| seed/],
    [['frobnicate'], {}, /^cli frobnicate: unknown command: frobnicate\. usage:/],
    [['seed', '--members', 'many'], {}, /^cli seed: --members needs a whole number, got many$/],
    [['seed', '--fast'], {}, /^cli seed: unknown option for seed: --fast$/],
    [['seed'], { NODE_ENV: 'production' }, /^cli seed: refusing to seed demo data with NODE_ENV=production$/],
    [['seed'], { DEMO_PASSWORD: '' }, /^cli seed: DEMO_PASSWORD is not set/],
    [['migrate'], { DATABASE_URL: '' }, /^cli migrate: DATABASE_URL is not set/],
    [
      ['revert'],
      { NODE_ENV: 'production' },
      /^cli revert: refusing to revert all migrations with NODE_ENV=production$/,
    ],
  ])('%j with %j fails with exit code 2 and one line', async (argv, overrides, message) => {
    const io = capture();
    expect(await main(argv, { ...env, ...overrides }, io)).toBe(2);
    expect(io.errors).toHaveLength(1);
    expect(io.errors[0]).toMatch(message);
    expect(io.lines).toEqual([]);
  });

  it('reports an unreachable database as one line with exit code 1', async () => {
    const io = capture();
    const url = 'postgres://postgres@127.0.0.1:1/nowhere';
    expect(await main(['migrate'], { ...env, DATABASE_URL: url }, io)).toBe(1);
    expect(io.errors).toHaveLength(1);
    expect(io.errors[0]).toMatch(/^cli migrate: connect ECONNREFUSED 127\.0\.0\.1:1$/);
  });
});
