/**
 * Node test environment for the workflows and integration tiers: after a test file's own hooks, it closes whatever the
 * file started and left open (test/support/open-resources.ts), so nothing keeps polling into the next file or past the run.
 */
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import type { Circus } from '@jest/types';
import NodeEnvironment from 'jest-environment-node';
import path from 'node:path';
import { closeAll } from '../support/open-resources';

export default class TestFileEnvironment extends NodeEnvironment {
  private readonly testPath: string;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.testPath = path.relative(config.projectConfig.rootDir, context.testPath);
  }

  /**
   * At the test run's own teardown event: after every hook of the file, while the file's modules can still load
   * (closing a Nest application may import lazily; the environment's own teardown comes after the module registry's).
   */
  async handleTestEvent(event: Circus.AsyncEvent | Circus.SyncEvent): Promise<void> {
    if (event.name !== 'teardown') return;
    // A start still in flight gets two minutes (a worker loads its bundle, a render worker starts Chromium), and so
    // does a close (a worker lets its activities finish).
    const leftovers = await closeAll(this.global, 120_000);
    if (leftovers.length) {
      process.stderr.write(`${this.testPath} left open, now closed: ${leftovers.join(', ')}\n`);
    }
  }
}
