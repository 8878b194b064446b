/**
 * The `npm start` launcher: builds the apps, starts PostgreSQL and the Temporal dev server
 * (unless DATABASE_URL / TEMPORAL_ADDRESS point elsewhere), migrates, seeds demo data into
 * an empty database, then runs the worker and the API and prints where to look. Ctrl-C stops
 * everything it started; data under .data/ is kept for the next start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  portOr,
  projectRoot,
  startPostgres,
  startTemporal,
  stopChild,
  type PostgresHandle,
  type TemporalHandle,
} from './lib/services.ts';

const root = projectRoot();
const dataDir = path.resolve(root, process.env.DATA_DIR ?? '.data');
const logDir = path.join(dataDir, 'logs');
mkdirSync(logDir, { recursive: true });
const say = (msg: string) => console.log(`\x1b[1;34m[start]\x1b[0m ${msg}`);

if (existsSync(path.join(root, '.env'))) process.loadEnvFile(path.join(root, '.env'));
const env: Record<string, string | undefined> = {
  ...process.env,
  NODE_ENV: process.env.NODE_ENV ?? 'development',
  DATA_DIR: dataDir,
};
/** Preferred ports; a busy one is replaced by a free one (and printed). */
const ports = {
  api: Number(process.env.API_PORT ?? 3000),
  postgres: Number(process.env.POSTGRES_PORT ?? 54329),
  temporal: Number(process.env.TEMPORAL_PORT ?? 7233),
  temporalUi: Number(process.env.TEMPORAL_UI_PORT ?? 8233),
};

/** A session secret made once per machine and kept out of git (under .data/). */
function sessionSecret(): string {
  const file = path.join(dataDir, 'session-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

function runStep(title: string, cmd: string, args: string[], extraEnv: Record<string, string> = {}): Promise<void> {
  say(title);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...env, ...extraEnv }, stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${title} failed (exit ${code})`))));
  });
}

const children: ChildProcess[] = [];
let pg: PostgresHandle | undefined;
let temporal: TemporalHandle | undefined;
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say('stopping…');
    for (const child of [...children].reverse()) await stopChild(child, 15_000);
    await temporal?.stop();
    await pg?.stop();
    say('stopped');
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

function runService(name: string, script: string): ChildProcess {
  const child = spawn(process.execPath, ['--enable-source-maps', script], { cwd: root, env, stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`[start] ${name} exited (${signal ?? code}); stopping everything.`);
    void shutdown(1);
  });
  children.push(child);
  return child;
}

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000}s`);
}

try {
  env.SESSION_SECRET ??= sessionSecret();
  env.DEMO_PASSWORD ??= 'Demo2026cicpa';
  env.WORKFLOW_BUNDLE_PATH ??= path.join(root, 'dist', 'workflow-bundle.js');

  await runStep('building API and worker (nest build)', path.join(root, 'node_modules/.bin/nest'), ['build']);
  // Our own PostgreSQL is not up yet; a placeholder URL lets every other setting be checked now.
  await runStep('checking the configuration', process.execPath, ['dist/libs/config/src/check.js'], {
    DATABASE_URL: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:1/placeholder',
  });
  await runStep('building the workflow bundle', process.execPath, [
    'dist/apps/worker/src/build-bundle.js',
    env.WORKFLOW_BUNDLE_PATH,
  ]);

  if (!env.DATABASE_URL) {
    say('starting PostgreSQL (.data/postgres)');
    pg = await startPostgres({
      dataDir: path.join(dataDir, 'postgres'),
      database: 'cicpa',
      port: await portOr(ports.postgres),
    });
    env.DATABASE_URL = pg.url;
  }
  await runStep('applying migrations', process.execPath, ['dist/libs/persistence/src/cli.js', 'migrate']);
  await runStep('demo data (only into an empty database)', process.execPath, [
    'dist/libs/persistence/src/cli.js',
    'seed',
    '--if-empty',
    '--members',
    env.DEMO_MEMBERS ?? '2000',
  ]);

  let uiUrl = env.TEMPORAL_UI_URL;
  if (!env.TEMPORAL_ADDRESS) {
    say('starting the Temporal dev server (.data/temporal)');
    temporal = await startTemporal({
      dbFile: path.join(dataDir, 'temporal', 'dev.sqlite'),
      port: await portOr(ports.temporal),
      uiPort: await portOr(ports.temporalUi),
      logFile: path.join(logDir, 'temporal.log'),
    });
    env.TEMPORAL_ADDRESS = temporal.address;
    uiUrl = env.TEMPORAL_UI_URL = temporal.uiUrl;
  }

  env.API_PORT = String(await portOr(ports.api));
  runService('worker', 'dist/apps/worker/src/main.js');
  runService('api', 'dist/apps/api/src/main.js');
  const api = `http://localhost:${env.API_PORT}`;
  await waitForHealth(`${api}/health`, 120_000);

  console.log(`
  电子非执业会员证系统 is running.

    Home / member portal   ${api}/
    Staff console          ${api}/login
    API docs (OpenAPI)     ${api}/docs
    Health                 ${api}/health
    Temporal UI            ${uiUrl ?? '(external cluster)'}
    PostgreSQL             ${env.DATABASE_URL}

  Demo log-ins (password: ${env.DEMO_PASSWORD}):
    national.admin       中注协注册部管理员
    national.reviewer    中注协复核人员
    reviewer.11          北京注协审核人员 (any province code: reviewer.44, admin.47 …)
    admin.11             北京注协管理员
  Logs: API and worker below; Temporal in .data/logs/temporal.log.
  Ctrl-C stops everything; data stays in .data/.
`);
} catch (error) {
  console.error(`[start] ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
}
