/**
 * Prints Jest's outcome as the closing line CI reads: "N passed, N failed". A run that
 * produced no results (set-up crashed) counts as one failure, never as success.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';

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
  testResults: {
    name: string;
    message: string;
    assertionResults: { fullName: string; status: string; failureMessages: string[] }[];
  }[];
};

// CI keeps only the end of the output: name what failed here, each with the first lines of its message.
const firstLines = (text: string) =>
  stripVTControlCharacters(text)
    .split('\n')
    .filter((line) => line.trim())
    .slice(0, 4)
    .map((line) => `    ${line.trim().slice(0, 200)}`)
    .join('\n');
const failures = results.testResults.flatMap((suite) => {
  const file = path.relative(process.cwd(), suite.name);
  const tests = suite.assertionResults.filter((test) => test.status === 'failed');
  if (tests.length === 0 && suite.message) return [`FAILED ${file}\n${firstLines(suite.message)}`];
  return tests.map((test) => `FAILED ${file} › ${test.fullName}\n${firstLines(test.failureMessages.join('\n'))}`);
});
if (failures.length) console.log(failures.join('\n'));
// A suite that failed to load has no failed *tests*; count it so it cannot pass silently.
const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
const skipped = results.numPendingTests + results.numTodoTests;
console.log(`${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || results.numPassedTests === 0 ? 1 : 0);
