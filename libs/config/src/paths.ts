import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The project's root folder, found by walking up from this file to the nearest
 * package.json: the same answer from TypeScript sources (tests) and from dist/ (npm start).
 */
export const PROJECT_ROOT: string = (() => {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json')) || path.basename(dir) === 'dist') {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
})();

export const TEMPLATES_DIR = path.join(PROJECT_ROOT, 'templates');
