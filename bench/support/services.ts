/**
 * The throw-away services of a benchmark that runs the real worker: a temporary folder, an ephemeral PostgreSQL
 * (migrated), a headless Temporal dev server and the workflow bundle written there. Each is registered in
 * `cleanups` as soon as it exists, so a failure or Ctrl-C half-way still removes what was started (withCleanups).
 */
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '@app/config';
import { runMigrations } from '@app/persistence';
import { buildWorkflowBundle } from '@app/temporal/bundle';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { startPostgres, startTemporal } from '../../scripts/lib/services';

export type Cleanups = (() => Promise<unknown>)[];

/** Cleanups run last-registered first; also on SIGINT/SIGTERM, so no server outlives the benchmark. */
export const cleanups: Cleanups = [];

export async function runCleanups(): Promise<void> {
  while (cleanups.length) {
    const cleanup = cleanups.pop()!;
    await cleanup().catch((error: unknown) => console.error('cleanup failed:', error));
  }
}

export interface BenchServices {
  readonly dir: string;
  readonly pg: Awaited<ReturnType<typeof startPostgres>>;
  readonly temporal: Awaited<ReturnType<typeof startTemporal>>;
  readonly bundlePath: string;
}

/** The environment of the API and worker apps against these services (configuration as in production). */
export function servicesEnv(services: BenchServices, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: services.pg.url,
    TEMPORAL_ADDRESS: services.temporal.address,
    TEMPORAL_NAMESPACE: services.temporal.namespace,
    WORKFLOW_BUNDLE_PATH: services.bundlePath,
    DATA_DIR: services.dir,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    ...extra,
  };
}

export async function startBenchServices(name: string, database: string): Promise<BenchServices> {
  const dir = await mkdtemp(path.join(tmpdir(), `bench-${name}-`));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  // As root, PostgreSQL runs as `postgres`, which must be able to enter the folder (mkdtemp makes it 0700).
  await chmod(dir, 0o711);

  const started = await Promise.allSettled([
    startPostgres({ dataDir: path.join(dir, 'postgres'), database, ephemeral: true }).then((pg) => {
      cleanups.push(async () => {
        await pg.stop();
        await rm(pg.dataDir, { recursive: true, force: true });
      });
      return pg;
    }),
    startTemporal({ logFile: path.join(dir, 'temporal.log'), uiPort: null }).then((t) => {
      cleanups.push(() => t.stop());
      return t;
    }),
    buildWorkflowBundle(),
  ]);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  const [pg, temporal, bundle] = started.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
    BenchServices['pg'],
    BenchServices['temporal'],
    Awaited<ReturnType<typeof buildWorkflowBundle>>,
  ];
  await runMigrations(pg.url);
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  await writeFile(bundlePath, bundle.code);
  return { dir, pg, temporal, bundlePath };
}

/** Runs a benchmark's main with its cleanups at the end, on failure, and on Ctrl-C or SIGTERM. */
export async function withCleanups(main: () => Promise<void>): Promise<void> {
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`${signal}: stopping the benchmark's servers`);
    void runCleanups().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await main();
  } finally {
    await runCleanups();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * The worker app alone, configured from the environment, as a child process of a benchmark (spawned with an IPC
 * channel): says `ready` once it polls, and closes when the parent goes away or sends SIGTERM.
 */
export async function serveWorkerChild(): Promise<void> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(loadConfig(process.env)), {
    logger: ['error', 'warn'],
  });
  await app.init();
  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    void app.close().finally(() => process.exit(0));
  };
  process.on('disconnect', close);
  process.on('SIGTERM', close);
  process.send!('ready');
}
