import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where photos and PDFs live (DESIGN.md: a content-addressed folder by default, an
 * S3-compatible bucket at scale). Keys are the sha256 of the content (64 hex digits), so
 * storing the same bytes twice stores them once and a key proves the content. The content
 * type travels with the row that references the blob.
 */
export interface BlobStore {
  /** Stores the bytes (idempotent) and returns their key. */
  put(data: Buffer, contentType: string): Promise<string>;
  /** The bytes; rejects with `BlobNotFoundError` for an unknown key. */
  get(key: string): Promise<Buffer>;
  has(key: string): Promise<boolean>;
}

export class BlobNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`blob not found: ${key}`);
    this.name = 'BlobNotFoundError';
  }
}

const BLOB_KEY = /^[0-9a-f]{64}$/;

export function blobKeyOf(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function isBlobKey(key: unknown): key is string {
  return typeof key === 'string' && BLOB_KEY.test(key);
}

/** A folder of blobs, sharded `ab/cd/<key>` so that no directory grows to millions of entries. */
export class FsBlobStore implements BlobStore {
  constructor(readonly dir: string) {}

  /** Validates the key before it becomes a path: keys come from URLs and database rows. */
  pathOf(key: string): string {
    if (!isBlobKey(key)) throw new Error(`not a blob key: ${JSON.stringify(key)}`);
    return path.join(this.dir, key.slice(0, 2), key.slice(2, 4), key);
  }

  async put(data: Buffer, _contentType: string): Promise<string> {
    const key = blobKeyOf(data);
    const target = this.pathOf(key);
    if (await this.has(key)) return key;
    await mkdir(path.dirname(target), { recursive: true });
    // Write a temp file beside the target, flush it, then rename: readers never see a
    // partial blob, and a crash leaves at most a stray temp file.
    const temp = `${target}.${randomUUID()}.tmp`;
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temp, { force: true });
      throw error;
    }
    await handle.close();
    await rename(temp, target);
    return key;
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(key);
      throw error;
    }
  }

  async has(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }
}
