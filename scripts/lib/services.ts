/**
 * The embedded services of DESIGN.md ("Embedded defaults"): a project-local PostgreSQL
 * cluster and the Temporal CLI dev server, each on a port of our choosing and stopped by
 * whoever started it. Used by `npm start` (scripts/start.ts) and by the Jest global set-up.
 *
 * Written in erasable TypeScript so that Node 24 runs it directly (no build step before
 * the database exists).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, chownSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The project's root: the nearest folder above the working directory holding our package.json. */
export function projectRoot(from: string = process.cwd()): string {
  let dir = path.resolve(from);
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'cicpa-ecert') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`not inside the project (no cicpa-ecert package.json above ${from})`);
    dir = parent;
  }
}

export const TOOLS_DIR = (root = projectRoot()) => path.join(root, '.tools');
export const TEMPORAL_CLI = (root = projectRoot()) => path.join(TOOLS_DIR(root), 'bin', 'temporal');
export const TEST_SERVER_WRAPPER = (root = projectRoot()) => path.join(TOOLS_DIR(root), 'bin', 'temporal-test-server');

/** A TCP port nobody listens on right now (the kernel picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `preferred` when it is free, otherwise any free port. */
export async function portOr(preferred: number): Promise<number> {
  return (await isPortFree(preferred)) ? preferred : freePort();
}

async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  child?: ChildProcess,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} while starting`);
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000}s`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Stops a child: SIGTERM, then SIGKILL after `graceMs`. Resolves once it has exited. */
export async function stopChild(child: ChildProcess | undefined, graceMs = 5000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------- PostgreSQL

export interface PostgresHandle {
  /** postgres://… URL of the database `database`. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Stops the cluster (fast shutdown). */
  stop(): Promise<void>;
}

export interface PostgresOptions {
  dataDir: string;
  database: string;
  /** Port to use when the cluster is not already running; a free one by default. */
  port?: number;
  /** Durability off: for throw-away test clusters only. */
  ephemeral?: boolean;
}

function postgresBinDir(): string {
  if (process.env.PG_BINDIR) return process.env.PG_BINDIR;
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => existsSync(path.join(base, v, 'bin', 'pg_ctl')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length) return path.join(base, versions[0], 'bin');
  }
  return '';
}

const isRoot = () => process.getuid?.() === 0;

/**
 * PostgreSQL refuses to run as root, and CI runs as root: then the cluster belongs to the
 * `postgres` system user. That user must be able to reach the data folder; a clone under a
 * private home folder is not reachable, so the cluster then lives under /var/tmp instead.
 */
export async function resolveDataDir(wanted: string): Promise<string> {
  if (!isRoot()) return wanted;
  mkdirSync(path.dirname(wanted), { recursive: true });
  try {
    await run('runuser', ['-u', 'postgres', '--', 'test', '-x', path.dirname(wanted)]);
    return wanted;
  } catch {
    const hash = createHash('sha256').update(wanted).digest('hex').slice(0, 12);
    return path.join('/var/tmp', `cicpa-ecert-pg-${hash}`);
  }
}

async function asPostgresUser(cmd: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const bin = postgresBinDir();
  const exe = bin ? path.join(bin, cmd) : cmd;
  return isRoot() ? run('runuser', ['-u', 'postgres', '--', exe, ...args]) : run(exe, args);
}

function runningPort(dataDir: string): number | undefined {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  // Line 4 of postmaster.pid is the port (PostgreSQL docs, "Database File Layout").
  const port = Number(readFileSync(pidFile, 'utf8').split('\n')[3]);
  return Number.isFinite(port) && port > 0 ? port : undefined;
}

export async function startPostgres(options: PostgresOptions): Promise<PostgresHandle> {
  const dataDir = await resolveDataDir(path.resolve(options.dataDir));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (isRoot()) {
    const st = statSync(dataDir);
    const pg = await run('id', ['-u', 'postgres']);
    const uid = Number(pg.stdout.trim());
    if (st.uid !== uid) chownSync(dataDir, uid, Number((await run('id', ['-g', 'postgres'])).stdout.trim()));
  }
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await asPostgresUser('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  }

  let port = runningPort(dataDir);
  const alreadyRunning =
    port !== undefined &&
    (await asPostgresUser('pg_ctl', ['status', '-D', dataDir]).then(
      () => true,
      () => false,
    ));
  if (!alreadyRunning) {
    port = options.port ?? (await freePort());
    const settings = [
      `-p ${port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${dataDir}`,
      '-c max_connections=200',
      ...(options.ephemeral ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'] : []),
    ].join(' ');
    await asPostgresUser('pg_ctl', [
      'start',
      '-D',
      dataDir,
      '-w',
      '-t',
      '60',
      '-l',
      path.join(dataDir, 'server.log'),
      '-o',
      settings,
    ]);
  }
  const url = `postgres://postgres@127.0.0.1:${port}/${options.database}`;
  await ensureDatabase(port!, options.database);
  return {
    url,
    port: port!,
    dataDir,
    stop: async () => {
      await asPostgresUser('pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w']).catch(() => undefined);
      // A throw-away cluster goes with its server; it may live under /var/tmp (see resolveDataDir), where
      // removing the caller's own temporary folder would not reach it.
      if (options.ephemeral) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function ensureDatabase(port: number, database: string): Promise<void> {
  const { Client } = await import('pg');
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------- Temporal

/** Search attributes of DESIGN.md (Workflows), registered when the dev server starts. */
export const SEARCH_ATTRIBUTES: Record<string, string> = {
  Province: 'Keyword',
  MemberNo: 'Keyword',
  ApplicationNo: 'Keyword',
  Stage: 'Keyword',
  CampaignYear: 'Int',
};

export interface TemporalHandle {
  /** host:port of the frontend (gRPC). */
  readonly address: string;
  readonly namespace: string;
  /** http://… of the Web UI, or undefined when headless. */
  readonly uiUrl?: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export interface TemporalOptions {
  /** SQLite file for a persistent server; in-memory when omitted. */
  dbFile?: string;
  port?: number;
  /** Web UI port; `null` starts the server headless. */
  uiPort?: number | null;
  namespace?: string;
  logFile: string;
  cli?: string;
}

export async function startTemporal(options: TemporalOptions): Promise<TemporalHandle> {
  const cli = options.cli ?? TEMPORAL_CLI();
  if (!existsSync(cli)) throw new Error(`Temporal CLI not found at ${cli}: run \`npm run setup\``);
  const port = options.port ?? (await freePort());
  const namespace = options.namespace ?? 'default';
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--http-port',
    String(await freePort()),
    '--metrics-port',
    String(await freePort()),
    '--namespace',
    namespace,
    '--log-level',
    'warn',
  ];
  if (options.dbFile) {
    mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push(
      '--db-filename',
      options.dbFile,
      '--sqlite-pragma',
      'journal_mode=wal',
      '--sqlite-pragma',
      'synchronous=normal',
    );
  }
  if (options.uiPort === null || options.uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort), '--ui-ip', '127.0.0.1');
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);

  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log = openSync(options.logFile, 'a');
  const child = spawn(cli, args, { stdio: ['ignore', log, log] });
  const address = `127.0.0.1:${port}`;
  await waitFor('Temporal dev server', () => canConnect(port), 60_000, child);
  // The port opens before the namespace and search attributes are usable; ask the CLI.
  await waitFor(
    'Temporal namespace',
    async () => {
      const out = await run(cli, [
        'operator',
        'search-attribute',
        'list',
        '--address',
        address,
        '--namespace',
        namespace,
      ]);
      return Object.keys(SEARCH_ATTRIBUTES).every((name) => out.stdout.includes(name));
    },
    60_000,
    child,
  );
  return {
    address,
    namespace,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
    child,
    stop: () => stopChild(child),
  };
}
