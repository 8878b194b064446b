import { createHash } from 'node:crypto';

/** Lower-case hex SHA-256, e.g. of a sealed PDF, stored with the issued version so an uploaded copy can be checked. */
export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
