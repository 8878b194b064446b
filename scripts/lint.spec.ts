/**
 * ESLint over the whole project with zero warnings allowed, including the rule that keeps
 * workflow code deterministic (no Node built-ins, NestJS, TypeORM… in workflows/). ESLint
 * loads its config with dynamic import, which Jest's module sandbox does not offer, so it
 * runs as a child process, as `npm run lint` would.
 */
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

jest.setTimeout(300_000);

const root = path.join(__dirname, '..');
const eslintBin = path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js');

interface LintResult {
  filePath: string;
  messages: Array<{ line: number; ruleId: string | null; message: string }>;
}

async function eslint(args: string[]): Promise<LintResult[]> {
  const run = promisify(execFile)(process.execPath, [eslintBin, '--format', 'json', ...args], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  });
  run.child.stdin?.end();
  // ESLint exits 1 when it finds problems; the JSON report is on stdout either way.
  const { stdout } = await run.catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  return JSON.parse(stdout) as LintResult[];
}

it('finds no lint errors or warnings', async () => {
  const results = await eslint(['.']);
  const problems = results.flatMap((r) =>
    r.messages.map((m) => `${path.relative(root, r.filePath)}:${m.line} ${m.ruleId ?? ''} ${m.message}`),
  );
  expect(problems).toEqual([]);
  expect(results.length).toBeGreaterThan(20);
});

it('rejects Node built-ins and server-side libraries imported by workflow code', async () => {
  // A real file inside workflows/, so the type-aware config applies to it as to any workflow.
  const probe = path.join(root, 'workflows', `lint-probe-${process.pid}.ts`);
  writeFileSync(
    probe,
    "import { readFileSync } from 'node:fs';\nimport { DataSource } from 'typeorm';\nimport type { Page } from 'puppeteer-core';\n" +
      'export const x: [unknown, unknown, Page | null] = [readFileSync, DataSource, null];\n',
  );
  try {
    const [result] = await eslint([probe]);
    const restricted = result.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports');
    // node:fs and typeorm are refused; a type-only import is allowed.
    expect(restricted.map((m) => m.line)).toEqual([1, 2]);
  } finally {
    rmSync(probe, { force: true });
  }
});

it('keeps every file in Prettier style', async () => {
  const prettier = path.join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs');
  const check = await promisify(execFile)(process.execPath, [prettier, '--check', '.', '--log-level', 'warn'], {
    cwd: root,
  }).then(
    () => ({ code: 0, stdout: '' }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout + error.stderr,
    }),
  );
  expect(check).toEqual({ code: 0, stdout: '' });
});
