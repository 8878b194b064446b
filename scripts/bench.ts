// `npm run bench [-- name…]`: runs every bench/*.bench.ts (or those whose name contains one of the arguments,
// e.g. `npm run bench -- render`), each in a child process of its own so that one benchmark's browsers, JIT state
// and garbage do not skew the next, and passes their output through. Benchmarks print their figure next to an
// in-run baseline; nothing is asserted. Exit status: non-zero if a benchmark crashed (or none matched).
//
// This file runs under Node's type stripping (erasable TypeScript only). The benchmarks import project code with
// decorators and @app/* aliases, which type stripping cannot run; bench/register.mts compiles them with @swc/core
// (see there for why it is a CommonJS require hook).
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = path.join(root, 'bench');
const SUFFIX = '.bench.ts';

const all = readdirSync(benchDir)
  .filter((f) => f.endsWith(SUFFIX))
  .sort()
  .map((f) => ({ name: f.slice(0, -SUFFIX.length), file: path.join('bench', f) }));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const selected = wanted.length ? all.filter((b) => wanted.some((w) => b.name.includes(w))) : all;

if (selected.length === 0) {
  console.error(
    `no benchmark matches ${wanted.join(', ') || '(none in bench/)'}; have: ${all.map((b) => b.name).join(', ')}`,
  );
  process.exit(2);
}

function run(file: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', './bench/register.mts', file], { cwd: root, stdio: 'inherit' });
    child.on('error', (error) => {
      console.error(error);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

const failed: string[] = [];
for (const bench of selected) {
  console.log(`── ${bench.name} (${bench.file})`);
  const start = performance.now();
  const code = await run(bench.file);
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  if (code !== 0) failed.push(bench.name);
  console.log(`── ${bench.name}: ${code === 0 ? 'done' : `CRASHED (exit ${code})`} in ${seconds} s`);
}
console.log(
  `benchmarks: ${selected.length - failed.length} finished${failed.length ? `, crashed: ${failed.join(', ')}` : ''}`,
);
process.exitCode = failed.length ? 1 : 0;
