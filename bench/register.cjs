// Loads the project's TypeScript for benchmarks: `node -r ./bench/register.cjs bench/x.bench.ts`.
//
// Why a CommonJS require hook and not Node's type stripping or `module.register` ESM hooks: the code under
// libs/ uses legacy decorators with emitted metadata (Nest), `@app/*` path aliases and `__dirname`, i.e. it is
// written for CommonJS output (what `nest build` and @swc/jest produce). Type stripping cannot handle decorators
// or aliases, and ESM hooks would run the code as ES modules where `__dirname` does not exist. So: compile each
// .ts file with @swc/core using the same .swcrc as Jest (legacy decorators + metadata, CommonJS), and resolve the
// aliases from tsconfig.json with tsconfig-paths. ESM-only packages (pkijs, asn1js, @nestjs/*) load through
// Node 24's require(esm).
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const Module = require('node:module');
const { transformSync } = require('@swc/core');
const tsconfigPaths = require('tsconfig-paths');

const root = path.resolve(__dirname, '..');
const config = tsconfigPaths.loadConfig(root);
if (config.resultType !== 'success') throw new Error(`tsconfig.json: ${config.message}`);
// tsconfig.json has no baseUrl; its paths are relative to the file's directory.
tsconfigPaths.register({ baseUrl: config.absoluteBaseUrl ?? root, paths: config.paths, addMatchAll: false });

process.setSourceMapsEnabled(true);
const swcrc = path.join(root, '.swcrc');

Module._extensions['.ts'] = function compileTs(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    swcrc: true,
    configFile: swcrc,
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
