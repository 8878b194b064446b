import type { FastifyReply } from 'fastify';

export interface StoredFile {
  readonly contentType: string;
  readonly data: Buffer;
  readonly name: string;
  /** For clients that ignore `filename*` (RFC 6266): the name in ASCII. */
  readonly asciiName?: string;
}

/**
 * Sends an uploaded or issued file: shown inline, or as a download (`attachment`), under its own (UTF-8) name, never
 * content-sniffed by the browser, and not kept in shared caches (it carries personal data).
 */
export function sendPrivateFile(
  reply: FastifyReply,
  file: StoredFile,
  disposition: 'inline' | 'attachment' = 'inline',
) {
  const ascii = file.asciiName ? ` filename="${file.asciiName}";` : '';
  return reply
    .header('content-type', file.contentType)
    .header('content-disposition', `${disposition};${ascii} filename*=UTF-8''${encodeURIComponent(file.name)}`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .send(file.data);
}
