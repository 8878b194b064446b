/**
 * Prints Jest's outcome as the closing line CI reads: "N passed, N failed". A run that
 * produced no results (set-up crashed) counts as one failure, never as success.
 */
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.data/jest-results.json';
if (!existsSync(file)) {
  console.log('Jest wrote no results (did the global set-up fail? see above).');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const results = JSON.parse(readFileSync(file, 'utf8')) as {
  numPassedTests: number;
  numFailedTests: number;
  numRuntimeErrorTestSuites: number;
  numPendingTests: number;
  numTodoTests: number;
};
// A suite that failed to load has no failed *tests*; count it so it cannot pass silently.
const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
const skipped = results.numPendingTests + results.numTodoTests;
console.log(`${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || results.numPassedTests === 0 ? 1 : 0);
