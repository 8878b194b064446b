/**
 * Database chores, run as `node dist/libs/persistence/src/cli.js <command>` (npm scripts
 * `migration:run`, `migration:revert`, `seed`) and from tests through `main()`.
 *
 *   migrate                          apply pending migrations
 *   revert                           revert every migration (drops the schema; not in production)
 *   seed [--members N] [--if-empty]  demo data; --if-empty skips a database that has staff accounts
 *
 * Environment: DATABASE_URL (required), BLOB_DIR (default $DATA_DIR/blobs, DATA_DIR default .data), DEMO_PASSWORD
 * (required for seed), NODE_ENV (seed and revert refuse `production`).
 */
import 'reflect-metadata';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { FsBlobStore } from './blob-store';
import { dataSourceOptions } from './data-source';
import { revertAllMigrations, runMigrations } from './migrate';
import { isDatabaseEmpty, seedDemoData } from './seed';

const USAGE = 'usage: cli <migrate | revert | seed [--members N] [--if-empty]>';
const DEFAULT_SEED_MEMBERS = 2000;

/** A mistake of the person running the command: printed as one line, without a stack. */
class UsageError extends Error {}

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const consoleIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

function parseSeedArgs(args: string[]): { members: number; ifEmpty: boolean } {
  let members = DEFAULT_SEED_MEMBERS;
  let ifEmpty = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--if-empty') ifEmpty = true;
    else if (arg === '--members' || arg.startsWith('--members=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i];
      if (!value || !/^\d+$/.test(value))
        throw new UsageError(`--members needs a whole number, got ${value ?? 'nothing'}`);
      members = Number(value);
    } else throw new UsageError(`unknown option for seed: ${arg}`);
  }
  return { members, ifEmpty };
}

function requireEnv(env: NodeJS.ProcessEnv, name: string, why: string): string {
  const value = env[name];
  if (!value) throw new UsageError(`${name} is not set: ${why}`);
  return value;
}

async function seed(args: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<void> {
  const { members, ifEmpty } = parseSeedArgs(args);
  if (env.NODE_ENV === 'production') throw new UsageError('refusing to seed demo data with NODE_ENV=production');
  const url = requireEnv(env, 'DATABASE_URL', 'set it to the postgres:// URL of the database');
  const demoPassword = requireEnv(env, 'DEMO_PASSWORD', 'set the password of the demo accounts');
  // Same default as libs/config: BLOB_DIR, else DATA_DIR/blobs.
  const blobDir = path.resolve(env.BLOB_DIR || path.join(env.DATA_DIR || '.data', 'blobs'));
  const ds = new DataSource(dataSourceOptions(url, { logging: ['error'] }));
  await ds.initialize();
  try {
    const [{ migrated }]: { migrated: boolean }[] = await ds.query(
      `SELECT to_regclass('staff_accounts') IS NOT NULL AS migrated`,
    );
    if (!migrated) throw new UsageError('the database has no schema yet: run `migrate` first');
    if (ifEmpty && !(await isDatabaseEmpty(ds))) {
      io.out('seed: database already has data, nothing to do (--if-empty)');
      return;
    }
    const result = await seedDemoData(ds, { members, blobStore: new FsBlobStore(blobDir), demoPassword });
    io.out(
      `seed: ${result.staff} staff accounts, ${result.members} members, ${result.inspections} inspections, ` +
        `${result.examPhotos} exam photos, ${result.transfers} transfers in ${(result.ms / 1000).toFixed(1)} s ` +
        `(blobs in ${blobDir})`,
    );
  } finally {
    await ds.destroy();
  }
}

/**
 * One line a person can act on. Connection failures arrive as an AggregateError without a
 * message; errors from Node's own modules may come from another realm (Jest), hence no
 * `instanceof`.
 */
function describe(error: unknown): string {
  const nested = (error as { errors?: unknown[] } | null)?.errors;
  const inner = Array.isArray(nested) && nested.length ? nested[0] : error;
  const { message, name } = (inner ?? {}) as { message?: unknown; name?: unknown };
  const text = typeof message === 'string' && message ? message : typeof name === 'string' ? name : String(inner);
  return text.split('\n')[0];
}

/** Runs one command; resolves to the process exit code. Never throws. */
export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  io: CliIo = consoleIo,
): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'migrate': {
        if (args.length) throw new UsageError(`migrate takes no arguments: ${args.join(' ')}`);
        const url = requireEnv(env, 'DATABASE_URL', 'set it to the postgres:// URL of the database');
        const applied = await runMigrations(url);
        io.out(applied.length ? `migrate: applied ${applied.join(', ')}` : 'migrate: schema is up to date');
        return 0;
      }
      case 'revert': {
        if (args.length) throw new UsageError(`revert takes no arguments: ${args.join(' ')}`);
        if (env.NODE_ENV === 'production')
          throw new UsageError('refusing to revert all migrations with NODE_ENV=production');
        const url = requireEnv(env, 'DATABASE_URL', 'set it to the postgres:// URL of the database');
        const reverted = await revertAllMigrations(url);
        io.out(reverted.length ? `revert: reverted ${reverted.join(', ')}` : 'revert: nothing to revert');
        return 0;
      }
      case 'seed':
        await seed(args, env, io);
        return 0;
      default:
        throw new UsageError(command ? `unknown command: ${command}. ${USAGE}` : USAGE);
    }
  } catch (error) {
    io.err(`cli${command ? ` ${command}` : ''}: ${describe(error)}`);
    return error instanceof UsageError ? 2 : 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
