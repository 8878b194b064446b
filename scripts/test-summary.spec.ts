/** The closing line CI reads, and the failures named above it (CI keeps only the end of the output). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.join(__dirname, '..');
let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'summary-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function summarise(results: object | null) {
  const file = path.join(dir, 'results.json');
  rmSync(file, { force: true });
  if (results) writeFileSync(file, JSON.stringify(results));
  const run = spawnSync(process.execPath, ['scripts/test-summary.ts', file], { cwd: root, encoding: 'utf8' });
  return { code: run.status, lines: run.stdout.trim().split('\n') };
}

const suite = (name: string, message: string, tests: [string, string, string[]][]) => ({
  name: path.join(root, name),
  message,
  assertionResults: tests.map(([fullName, status, failureMessages]) => ({ fullName, status, failureMessages })),
});

it('names each failed test with the start of its message, then "N passed, N failed"', () => {
  const { code, lines } = summarise({
    numPassedTests: 7,
    numFailedTests: 1,
    numRuntimeErrorTestSuites: 1,
    numPendingTests: 0,
    numTodoTests: 0,
    testResults: [
      suite('test/a.test.ts', '', [
        ['passes', 'passed', []],
        [
          'counts reissues',
          'failed',
          ['\u001b[31mError: expect(received).toBe(expected)\u001b[39m\n\nExpected: 3\nReceived: 2\n  at x'],
        ],
      ]),
      suite('test/b.test.ts', 'Cannot find module ./gone', []),
    ],
  });
  expect(code).toBe(1);
  expect(lines).toEqual([
    'FAILED test/a.test.ts › counts reissues',
    '    Error: expect(received).toBe(expected)',
    '    Expected: 3',
    '    Received: 2',
    '    at x',
    'FAILED test/b.test.ts',
    '    Cannot find module ./gone',
    '7 passed, 2 failed',
  ]);
});

it('passes a clean run, and fails a run that wrote no results', () => {
  const clean = summarise({
    numPassedTests: 3,
    numFailedTests: 0,
    numRuntimeErrorTestSuites: 0,
    numPendingTests: 0,
    numTodoTests: 0,
    testResults: [suite('test/a.test.ts', '', [['passes', 'passed', []]])],
  });
  expect(clean).toEqual({ code: 0, lines: ['3 passed, 0 failed'] });
  const none = summarise(null);
  expect([none.code, none.lines.at(-1)]).toEqual([1, '0 passed, 1 failed']);
});
