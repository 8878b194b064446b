/**
 * Starts what the `workflows` and `integration` tiers need, once per `npm test`: a fresh
 * PostgreSQL cluster with the schema migrated, a Temporal dev server (real binary) on free
 * ports, and the workflow bundle built once for every test worker. Everything is stopped by
 * global-teardown.ts, also when tests fail.
 */
// Global set-up runs outside Jest's module mapper: resolve the @app/* aliases from tsconfig.
import 'tsconfig-paths/register';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { projectRoot, startPostgres, startTemporal, TEST_SERVER_WRAPPER } from '../../scripts/lib/services';
import { runMigrations } from '../../libs/persistence/src/migrate';
import { buildWorkflowBundle } from '../../libs/temporal/src/bundle';
import { registerCleanup, runCleanups } from './handles';

export default async function globalSetup(): Promise<void> {
  try {
    await setUp();
  } catch (error) {
    // Jest runs no global teardown after a failed set-up: stop what did start.
    await runCleanups();
    throw error;
  }
}

async function setUp(): Promise<void> {
  const root = projectRoot();
  // One folder per run, so two runs on one machine (two developers, CI) never share a cluster.
  mkdirSync(path.join(root, '.data'), { recursive: true });
  const runDir = mkdtempSync(path.join(root, '.data', 'test-run-'));

  // Registered first, so it runs last: the folder goes once both servers have stopped.
  registerCleanup(async () => rmSync(runDir, { recursive: true, force: true }));
  // Each service is registered for teardown as soon as it runs, so a failure of another
  // during set-up still leaves nothing behind.
  const [pg, temporal, bundle] = await Promise.all([
    startPostgres({ dataDir: path.join(runDir, 'postgres'), database: 'cicpa_test', ephemeral: true }).then((h) => {
      // Ephemeral: stop() also removes the cluster's folder.
      registerCleanup(() => h.stop());
      return h;
    }),
    startTemporal({ logFile: path.join(runDir, 'temporal.log') }).then((h) => {
      registerCleanup(() => h.stop());
      return h;
    }),
    buildWorkflowBundle(),
  ]);
  await runMigrations(pg.url);

  const bundlePath = path.join(runDir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);

  // Jest's test workers are forked after global set-up and inherit this environment.
  Object.assign(process.env, {
    NODE_ENV: 'test',
    DATABASE_URL: pg.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    WORKFLOW_BUNDLE_PATH: bundlePath,
    TEMPORAL_TEST_SERVER: TEST_SERVER_WRAPPER(root),
    DATA_DIR: runDir,
    // One secret for every API and worker of the run, as in a deployment.
    SESSION_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
}
