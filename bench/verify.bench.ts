/**
 * Verification lookups per second and p99 latency (`GET /api/verify/:certificateNo?t=<token>`, the JSON twin of
 * the page the QR code opens) with 1,000,000 certificates in the database, against the real API (createApiApp,
 * production settings: JSON logs, token check, one SQL statement per lookup).
 *
 * Baseline, measured in the same run: a bare Fastify "hello" route (`fastify()` with one GET route, no logging),
 * in a child process of its own as the API is. Both are driven by autocannon from this process, 64 connections,
 * each request for a different path (random certificate numbers with valid tokens for the verify side).
 *
 * Set-up (printed, not part of the figure): a throw-away PostgreSQL cluster, the migrations, then members,
 * certificate versions (5 % have a second version, the first then superseded) and one passed inspection per
 * member, bulk-loaded with INSERT … SELECT generate_series.
 *
 * Env: BENCH_VERIFY_MEMBERS (default 1,000,000), BENCH_VERIFY_DURATION seconds per side (default 10),
 * BENCH_VERIFY_CONNECTIONS (default 64), BENCH_VERIFY_TOKENS distinct numbers requested (default 20,000).
 * Prints, never asserts; exits non-zero only if something crashes.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '@app/config';
import { ensureDevKeys, loadKeys, QrTokenService } from '@app/pdf';
import { runMigrations } from '@app/persistence';
import autocannon from 'autocannon';
import fastify from 'fastify';
import { Client } from 'pg';
import { createApiApp } from '../apps/api/src/app.factory';
import { freePort, startPostgres, type PostgresHandle } from '../scripts/lib/services';

const TARGET_RATIO = 0.4;
const TARGET_P99_MS = 25;
const ROLE = process.argv[2];

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer: ${raw}`);
  return value;
}

// ------------------------------------------------------------------ servers (child processes)

/** Child: the bare Fastify floor. */
async function serveFloor(): Promise<void> {
  const app = fastify();
  app.get('/hello/:n', async () => ({ hello: 'world' }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
}

/** Child: the real API with the configuration in its environment (set by the parent). */
async function serveApi(): Promise<void> {
  const config = loadConfig();
  const app = await createApiApp(config);
  await app.listen(config.api.port, config.api.host);
  process.send?.({ port: config.api.port });
}

function startServer(
  role: string,
  env: NodeJS.ProcessEnv,
  logFd: number,
): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [role], {
      execArgv: ['-r', './bench/register.mts'],
      env,
      stdio: ['ignore', logFd, 'inherit', 'ipc'],
    });
    child.once('message', (m: { port: number }) => resolve({ child, port: m.port }));
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code} before listening`)));
  });
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

// ------------------------------------------------------------------ data

/** Members, certificate versions, inspections for `n` certificate numbers spread over the 32 institutes. */
async function bulkLoad(url: string, n: number): Promise<Array<{ no: string; version: number }>> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    // Foreign keys were checked by construction; replica mode skips their per-row triggers.
    await db.query(`SET session_replication_role = replica`);
    await db.query(`SET maintenance_work_mem = '256MB'`);
    await db.query(`
      CREATE TEMP TABLE bench_codes AS
      SELECT row_number() OVER (ORDER BY code) - 1 AS i, code FROM institutes WHERE code <> '00'`);
    const { rows } = await db.query<{ count: string }>(`SELECT count(*) FROM bench_codes`);
    const codes = Number(rows[0].count);
    await db.query(
      `INSERT INTO members (certificate_no, name, gender, id_number, date_of_birth, mobile, email, province_code,
                            admission_route, joined_on, approval_doc_no, password_hash, must_change_password)
       SELECT c.code || lpad((g / $2 + 1)::text, 10, '0'),
              '会员' || g, CASE WHEN g % 2 = 0 THEN 'F' ELSE 'M' END,
              lpad(g::text, 17, '0') || 'X', date '1970-01-01' + (g % 12000),
              '139' || lpad((g % 100000000)::text, 8, '0'), 'm' || g || '@example.cn', c.code,
              'assessment', date '2000-01-01' + (g % 9000), c.code || '注协〔2019〕' || (g % 90 + 10) || '号',
              'x', false
       FROM generate_series(0, $1 - 1) AS g JOIN bench_codes c ON c.i = g % $2`,
      [n, codes],
    );
    // Version 1 for everyone (superseded for every 20th member, who also has an active version 2).
    await db.query(
      `INSERT INTO certificates (certificate_no, version, status, reason, snapshot, workflow_id, issued_at,
                                 superseded_at, pdf_sha256)
       SELECT certificate_no, 1,
              CASE WHEN substr(certificate_no, 3)::bigint % 20 = 0 THEN 'superseded' ELSE 'active' END,
              'firstIssue', '{}', 'certificate-' || certificate_no || '-v1', now() - interval '1 year',
              CASE WHEN substr(certificate_no, 3)::bigint % 20 = 0 THEN now() END,
              md5(certificate_no) || md5(certificate_no || 'x')
       FROM members`,
    );
    await db.query(
      `INSERT INTO certificates (certificate_no, version, status, reason, snapshot, workflow_id, issued_at)
       SELECT certificate_no, 2, 'active', 'reissue', '{}', 'certificate-' || certificate_no || '-v2', now()
       FROM certificates WHERE version = 1 AND status = 'superseded'`,
    );
    await db.query(
      `INSERT INTO inspections (member_id, year, result, passed_on, source)
       SELECT id, 2024, 'passed', date '2025-04-30', 'seed' FROM members`,
    );
    await db.query(`ANALYZE`);
    // Numbers to request: a random sample, with the version each QR code was printed for (mostly active,
    // some superseded ones as real scans of old printouts would be).
    const sample = await db.query<{ no: string; version: number }>(
      `SELECT certificate_no AS no, version FROM certificates TABLESAMPLE SYSTEM (5) ORDER BY random() LIMIT $1`,
      [envInt('BENCH_VERIFY_TOKENS', 20_000)],
    );
    return sample.rows;
  } finally {
    await db.end();
  }
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const n = envInt('BENCH_VERIFY_MEMBERS', 1_000_000);
  const duration = envInt('BENCH_VERIFY_DURATION', 10);
  const connections = envInt('BENCH_VERIFY_CONNECTIONS', 64);

  const dir = await mkdtemp(path.join(tmpdir(), 'bench-verify-'));
  const log = await open(path.join(dir, 'servers.log'), 'a');
  let postgres: PostgresHandle | undefined;
  let floor: ChildProcess | undefined;
  let api: ChildProcess | undefined;
  try {
    let t = performance.now();
    const pg = await startPostgres({ dataDir: path.join(dir, 'pg'), database: 'verify_bench', ephemeral: true });
    postgres = pg;
    await runMigrations(pg.url);
    const setupMs = performance.now() - t;
    t = performance.now();
    const sample = await bulkLoad(pg.url, n);
    const loadMs = performance.now() - t;

    const keyPaths = await ensureDevKeys(path.join(dir, 'keys'));
    const qr = new QrTokenService((await loadKeys(keyPaths)).qrKey);
    const paths = sample.map(({ no, version }) => `/api/verify/${no}?t=${qr.sign(no, version)}`);

    const apiEnv: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: pg.url,
      SESSION_SECRET: 'bench-verify-session-secret-0123456789abcdef',
      API_PORT: String(await freePort()),
      DATA_DIR: dir,
      SEAL_KEY_PATH: keyPaths.sealKeyPath,
      SEAL_CERT_PATH: keyPaths.sealCertPath,
      QR_KEY_PATH: keyPaths.qrKeyPath,
      // Nothing listens there: the Temporal client connects lazily and the lookup never needs it.
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
    };
    const floorServer = await startServer('--serve-floor', process.env, log.fd);
    floor = floorServer.child;
    const apiServer = await startServer('--serve-api', apiEnv, log.fd);
    api = apiServer.child;
    const floorBase = `http://127.0.0.1:${floorServer.port}`;
    const apiBase = `http://127.0.0.1:${apiServer.port}`;

    // The verify side must measure real answers: a few lookups first, each must say "valid" or "superseded".
    for (const p of paths.slice(0, 5)) {
      const answer = (await (await fetch(apiBase + p)).json()) as { status?: string };
      if (answer.status !== 'valid' && answer.status !== 'superseded') {
        throw new Error(`lookup ${p} answered ${JSON.stringify(answer)}`);
      }
    }

    const load = (base: string, pathOf: (i: number) => string, seconds: number) => {
      let i = 0;
      return autocannon({
        url: base,
        connections,
        duration: seconds,
        requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: pathOf(i++) }) }],
      });
    };
    const randomPath = () => paths[Math.floor(Math.random() * paths.length)];
    const floorPath = (i: number) => `/hello/${i}`;
    // Warm-up: JIT, connection pools, the database's buffer cache for the sampled rows.
    await load(floorBase, floorPath, 2);
    await load(apiBase, randomPath, 3);
    const floorResult = await load(floorBase, floorPath, duration);
    const verifyResult = await load(apiBase, randomPath, duration);

    const f = (x: number, d = 0) => x.toFixed(d);
    const failures = (r: Awaited<ReturnType<typeof autocannon>>) => r.errors + r.timeouts + r.non2xx;
    console.log(
      `verify: ${f(verifyResult.requests.average)} lookups/s, p99 ${f(verifyResult.latency.p99, 1)} ms | ` +
        `floor (bare Fastify hello): ${f(floorResult.requests.average)} req/s, p99 ${f(floorResult.latency.p99, 1)} ms | ` +
        `ratio ${f(verifyResult.requests.average / floorResult.requests.average, 2)} ` +
        `(target ≥ ${TARGET_RATIO}, p99 ≤ ${TARGET_P99_MS} ms)`,
    );
    console.log(
      `verify: ${n.toLocaleString('en')} members, ${sample.length.toLocaleString('en')} distinct numbers requested, ` +
        `${connections} connections, ${duration} s per side | median ${f(verifyResult.latency.p50, 1)} ms ` +
        `(floor ${f(floorResult.latency.p50, 1)} ms) | failed requests: verify ${failures(verifyResult)}, ` +
        `floor ${failures(floorResult)} | set-up: cluster + migrations ${f(setupMs / 1000, 1)} s, ` +
        `bulk load ${f(loadMs / 1000, 1)} s`,
    );
  } finally {
    await stop(api);
    await stop(floor);
    await postgres?.stop();
    await log.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (ROLE === '--serve-floor') void serveFloor();
else if (ROLE === '--serve-api') void serveApi();
else
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
