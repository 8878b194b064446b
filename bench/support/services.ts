/**
 * The throw-away services of a benchmark that runs the real worker: a temporary folder, an ephemeral PostgreSQL
 * (migrated), a headless Temporal dev server and the workflow bundle written there. Each is registered in
 * `cleanups` as soon as it exists, so a failure or Ctrl-C half-way still removes what was started.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runMigrations } from '@app/persistence';
import { buildWorkflowBundle } from '@app/temporal/bundle';
import { startPostgres, startTemporal } from '../../scripts/lib/services';

export type Cleanups = (() => Promise<unknown>)[];

export interface BenchServices {
  readonly dir: string;
  readonly pg: Awaited<ReturnType<typeof startPostgres>>;
  readonly temporal: Awaited<ReturnType<typeof startTemporal>>;
  readonly bundlePath: string;
}

export async function startBenchServices(name: string, database: string, cleanups: Cleanups): Promise<BenchServices> {
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
