/**
 * Boots the real worker application (Nest application context hosting the `registry` and
 * `render` Temporal workers) in the test process, against the global set-up's services.
 */
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { testConfig } from './api';
import { track } from './open-resources';

export function startWorker(overrides: Record<string, string> = {}): Promise<INestApplicationContext> {
  return track('worker', boot(overrides));
}

async function boot(overrides: Record<string, string>): Promise<INestApplicationContext> {
  const config = testConfig(overrides);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    await app.init();
  } catch (error) {
    // A worker created before the failure would otherwise keep polling with nobody to close it.
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}
