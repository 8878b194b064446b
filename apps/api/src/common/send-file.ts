import type { FastifyReply } from 'fastify';

export interface StoredFile {
  readonly contentType: string;
  readonly data: Buffer;
  readonly name: string;
}

/**
 * Sends an uploaded or issued file to staff: shown inline under its own (UTF-8) name, never
 * content-sniffed by the browser, and not kept in shared caches (it carries personal data).
 */
export function sendPrivateFile(reply: FastifyReply, file: StoredFile) {
  return reply
    .header('content-type', file.contentType)
    .header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(file.name)}`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .send(file.data);
}
