import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { storedZip } from './zip';

describe('storedZip (R10: several certificates in one download)', () => {
  it('writes an archive that unzip lists and extracts byte for byte', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'zip-'));
    try {
      const a = Buffer.from('%PDF-1.7 first');
      const b = Buffer.alloc(70_000, 7);
      writeFileSync(
        path.join(dir, 'x.zip'),
        storedZip([
          { name: '110000000001-v1.pdf', data: a },
          { name: '110000000002-v2.pdf', data: b },
        ]),
      );
      const test = spawnSync('unzip', ['-t', path.join(dir, 'x.zip')], { encoding: 'utf8' });
      expect(test.stdout).toContain('No errors detected');
      spawnSync('unzip', ['-q', path.join(dir, 'x.zip'), '-d', path.join(dir, 'out')]);
      expect(readFileSync(path.join(dir, 'out', '110000000001-v1.pdf')).equals(a)).toBe(true);
      expect(readFileSync(path.join(dir, 'out', '110000000002-v2.pdf')).equals(b)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
