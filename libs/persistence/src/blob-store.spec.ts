import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BlobNotFoundError, FsBlobStore, isBlobKey } from './blob-store';

describe('FsBlobStore', () => {
  let dir: string;
  let store: FsBlobStore;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'blobs-'));
    store = new FsBlobStore(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores content under its sha256, sharded ab/cd/<key>, and reads it back', async () => {
    const data = Buffer.from('电子非执业会员证');
    const key = await store.put(data, 'text/plain');
    expect(key).toBe(createHash('sha256').update(data).digest('hex'));
    expect(isBlobKey(key)).toBe(true);
    expect(readdirSync(path.join(dir, key.slice(0, 2), key.slice(2, 4)))).toEqual([key]); // no temp file left
    expect(await store.has(key)).toBe(true);
    expect((await store.get(key)).equals(data)).toBe(true);
  });

  it('stores the same content once', async () => {
    const a = await store.put(Buffer.from('same'), 'text/plain');
    const b = await store.put(Buffer.from('same'), 'application/octet-stream');
    expect(a).toBe(b);
    expect(readdirSync(path.join(dir, a.slice(0, 2), a.slice(2, 4)))).toHaveLength(1);
  });

  it('survives concurrent puts of the same content', async () => {
    const data = Buffer.alloc(1 << 20, 7);
    const keys = await Promise.all(Array.from({ length: 8 }, () => store.put(data, 'application/octet-stream')));
    expect(new Set(keys).size).toBe(1);
    expect((await store.get(keys[0])).equals(data)).toBe(true);
    expect(readdirSync(path.join(dir, keys[0].slice(0, 2), keys[0].slice(2, 4)))).toEqual([keys[0]]);
  });

  it('answers unknown keys with has=false and BlobNotFoundError', async () => {
    const missing = 'a'.repeat(64);
    expect(await store.has(missing)).toBe(false);
    await expect(store.get(missing)).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it('rejects anything that is not a key before it becomes a path', async () => {
    for (const bad of ['../../etc/passwd', 'A'.repeat(64), 'a'.repeat(63), '']) {
      await expect(store.get(bad)).rejects.toThrow(/not a blob key/);
      await expect(store.has(bad)).rejects.toThrow(/not a blob key/);
    }
  });
});
