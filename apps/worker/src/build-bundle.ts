/**
 * Writes the prebuilt workflow bundle that production workers load (WORKFLOW_BUNDLE_PATH).
 * Exits 1 on failure so a broken bundle never reaches a deployment.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildWorkflowBundle } from '@app/temporal/bundle';

async function main(): Promise<void> {
  const out = path.resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
  const { code } = await buildWorkflowBundle();
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, code);
  console.log(`workflow bundle: ${out} (${(code.length / 1024).toFixed(0)} KiB)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
