/**
 * `npm start`'s launcher as a user runs it (scripts/start.ts): build, own PostgreSQL and
 * Temporal dev server, migrations, demo data, worker and API; every address answers; Ctrl-C
 * (SIGINT) stops everything. A bad setting stops it before anything starts, naming the
 * setting. Runs in its own data folder and on free ports, apart from the global services.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { freePort, projectRoot, resolveDataDir } from '../../scripts/lib/services';

jest.setTimeout(420_000);

const root = projectRoot();

interface Launch {
  output: () => string;
  exited: Promise<number | null>;
  kill: (signal: NodeJS.Signals) => void;
  waitFor: (text: string, timeoutMs: number) => Promise<void>;
}

function launch(env: Record<string, string>): Launch {
  const base: Record<string, string | undefined> = { ...process.env, ...env };
  // The global set-up's services must not be reused: the launcher starts its own.
  for (const name of [
    'DATABASE_URL',
    'TEMPORAL_ADDRESS',
    'TEMPORAL_UI_URL',
    'WORKFLOW_BUNDLE_PATH',
    'NODE_ENV',
    'LOG_LEVEL',
  ]) {
    if (!(name in env)) delete base[name];
  }
  const child = spawn(process.execPath, ['scripts/start.ts'], {
    cwd: root,
    env: base,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    output: () => out,
    exited,
    kill: (signal) => child.kill(signal),
    waitFor: async (text, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (!out.includes(text)) {
        if (child.exitCode !== null) throw new Error(`launcher exited (${child.exitCode}) before "${text}":\n${out}`);
        if (Date.now() > deadline) throw new Error(`no "${text}" within ${timeoutMs / 1000}s:\n${out}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
  };
}

let dataDir: string;

beforeAll(() => {
  dataDir = mkdtempSync(path.join(root, '.data', 'e2e-start-'));
});

afterAll(async () => {
  rmSync(await resolveDataDir(path.join(dataDir, 'postgres')), { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

it('starts the whole system, answers on every address, and stops everything on Ctrl-C', async () => {
  const [api, temporal, ui, postgres] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const run = launch({
    DATA_DIR: dataDir,
    API_PORT: String(api),
    TEMPORAL_PORT: String(temporal),
    TEMPORAL_UI_PORT: String(ui),
    POSTGRES_PORT: String(postgres),
    DEMO_MEMBERS: '100',
    DEMO_PASSWORD: 'E2eDemo2026pw',
  });
  try {
    await run.waitFor('is running.', 360_000);
    const base = `http://localhost:${api}`;
    for (const url of [`${base}/health`, `${base}/docs`, `${base}/login`, `${base}/`, `http://127.0.0.1:${ui}/`]) {
      expect([url, (await fetch(url)).status]).toEqual([url, 200]);
    }
    // The demo data is there and its printed log-in works.
    const login = await fetch(`${base}/api/auth/staff/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'reviewer.11', password: 'E2eDemo2026pw' }),
    });
    expect(login.status).toBe(200);
    expect(run.output()).toContain(`Temporal UI            http://127.0.0.1:${ui}`);
  } finally {
    run.kill('SIGINT');
  }
  expect(await run.exited).toBe(0);
  expect(run.output()).toContain('stopped');
  // PostgreSQL shut down cleanly: no postmaster.pid left behind (the data itself stays).
  const cluster = await resolveDataDir(path.join(dataDir, 'postgres'));
  expect(existsSync(path.join(cluster, 'PG_VERSION'))).toBe(true);
  expect(existsSync(path.join(cluster, 'postmaster.pid'))).toBe(false);
  await expect(fetch(`http://localhost:${api}/health`)).rejects.toThrow();
});

it('refuses to start with a malformed setting and names it', async () => {
  const run = launch({ DATA_DIR: dataDir, TASK_REMINDER_AFTER: 'three weeks' });
  expect(await run.exited).not.toBe(0);
  expect(run.output()).toContain('TASK_REMINDER_AFTER must be a duration');
  // Nothing was started: the check runs before PostgreSQL and Temporal.
  expect(run.output()).not.toContain('starting PostgreSQL');
});
