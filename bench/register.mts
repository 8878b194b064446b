// Loads the project's TypeScript for benchmarks: `node -r ./bench/register.mts bench/x.bench.ts` (Node 24 strips
// the types of this file itself; it must stay erasable TypeScript).
//
// Why a CommonJS require hook rather than plain type stripping or `module.register` ESM hooks: the code under
// libs/ uses legacy decorators with emitted metadata (Nest), `@app/*` path aliases and `__dirname`, i.e. it is
// written for CommonJS output (what `nest build` and @swc/jest produce). Type stripping handles neither
// decorators nor aliases, and ESM hooks would run that code as ES modules, where `__dirname` does not exist. So
// each .ts file is compiled by @swc/core with the .swcrc Jest uses (legacy decorators + metadata, CommonJS) and
// the aliases are resolved from tsconfig.json by tsconfig-paths. ESM-only packages (pkijs, asn1js, @nestjs/*) load
// through Node 24's require(esm). (.mts, not .cjs: ESLint type-checks bench/ and only tsconfig files pass.)
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import { transformSync } from '@swc/core';
import tsconfigPaths from 'tsconfig-paths';

interface CompilableModule {
  _compile(code: string, filename: string): void;
}
type Loader = (module: CompilableModule, filename: string) => void;

const root = path.resolve(import.meta.dirname, '..');
const config = tsconfigPaths.loadConfig(root);
if (config.resultType !== 'success') throw new Error(`tsconfig.json: ${config.message}`);
tsconfigPaths.register({ baseUrl: config.absoluteBaseUrl, paths: config.paths, addMatchAll: false });

process.setSourceMapsEnabled(true);
const extensions = (Module as unknown as { _extensions: Record<string, Loader> })._extensions;
extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    swcrc: true,
    configFile: path.join(root, '.swcrc'),
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
