/**
 * Starts what the `workflows` and `integration` tiers need, once per `npm test`: a fresh
 * PostgreSQL cluster with the schema migrated, a Temporal dev server (real binary) on free
 * ports, and the workflow bundle built once for every test worker. Everything is stopped by
 * global-teardown.ts, also when tests fail.
 */
// Global set-up runs outside Jest's module mapper: resolve the @app/* aliases from tsconfig.
import 'tsconfig-paths/register';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot, startPostgres, startTemporal, TEST_SERVER_WRAPPER } from '../../scripts/lib/services';
import { runMigrations } from '../../libs/persistence/src/migrate';
import { buildWorkflowBundle } from '../../libs/temporal/src/bundle';
import { registerCleanup } from './handles';

export default async function globalSetup(): Promise<void> {
  const root = projectRoot();
  const runDir = path.join(root, '.data', 'test-run');
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });

  const [pg, temporal, bundle] = await Promise.all([
    startPostgres({ dataDir: path.join(runDir, 'postgres'), database: 'cicpa_test', ephemeral: true }),
    startTemporal({ logFile: path.join(runDir, 'temporal.log') }),
    buildWorkflowBundle(),
  ]);
  registerCleanup(async () => {
    await Promise.allSettled([temporal.stop(), pg.stop()]);
    rmSync(pg.dataDir, { recursive: true, force: true });
  });
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
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
}
