/**
 * Builds the workflow bundle (webpack via @temporalio/worker). Production workers load the
 * prebuilt file (scripts/build-workflow-bundle.ts); tests build it once per run.
 */
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import path from 'node:path';
import { PROJECT_ROOT } from '@app/config/paths';

export async function buildWorkflowBundle(root = PROJECT_ROOT): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: path.join(root, 'workflows', 'index.ts'),
    // Workflow code may import only the pure libraries (lint-enforced); map their aliases.
    webpackConfigHook: (config) => {
      config.resolve = config.resolve ?? {};
      config.resolve.alias = {
        ...(config.resolve.alias as Record<string, string>),
        '@app/domain': path.join(root, 'libs', 'domain', 'src'),
        '@app/temporal/names': path.join(root, 'libs', 'temporal', 'src', 'names.ts'),
      };
      return config;
    },
    logger: { info() {}, warn: console.warn, error: console.error, debug() {}, trace() {}, log() {} },
  });
}
