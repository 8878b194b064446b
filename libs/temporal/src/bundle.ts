/**
 * Builds the workflow bundle (webpack via @temporalio/worker). Production workers load the
 * prebuilt file (scripts/build-workflow-bundle.ts); tests build it once per run.
 */
import { bundleWorkflowCode, type BundleOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import path from 'node:path';
import { PROJECT_ROOT } from '@app/config/paths';

type Configuration = Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0];

/**
 * Workflow code imports the pure libraries by alias (lint-enforced); webpack, which bundles
 * workflows, learns the aliases here. Also for tests that bundle one workflow file.
 */
export function withWorkflowAliases(config: Configuration, root = PROJECT_ROOT): Configuration {
  config.resolve = config.resolve ?? {};
  config.resolve.alias = {
    ...(config.resolve.alias as Record<string, string>),
    '@app/domain': path.join(root, 'libs', 'domain', 'src'),
    '@app/temporal/names': path.join(root, 'libs', 'temporal', 'src', 'names.ts'),
  };
  return config;
}

export async function buildWorkflowBundle(root = PROJECT_ROOT): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: path.join(root, 'workflows', 'index.ts'),
    webpackConfigHook: (config) => withWorkflowAliases(config, root),
    logger: { info() {}, warn: console.warn, error: console.error, debug() {}, trace() {}, log() {} },
  });
}
