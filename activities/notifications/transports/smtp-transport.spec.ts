import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { classifySmtpError, SmtpTransport } from './smtp-transport';
import { DeliveryError } from './transport';

describe('SMTP error classification', () => {
  it.each([
    // The server refused this message with a reply code.
    ['RCPT 550 (no such mailbox)', { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO' }, 'permanent'],
    ['DATA 554 (refused as spam)', { code: 'EMESSAGE', responseCode: 554, command: 'DATA' }, 'permanent'],
    ['RCPT 451 (greylisted)', { code: 'EENVELOPE', responseCode: 451, command: 'RCPT TO' }, 'temporary'],
    ['421 (server closing)', { code: 'ECONNECTION', responseCode: 421, command: 'CONN' }, 'temporary'],
    ['503 (bad sequence)', { code: 'EPROTOCOL', responseCode: 503, command: 'DATA' }, 'temporary'],
    // Nothing reached the server.
    ['connection refused', { code: 'ESOCKET', originalCode: 'ECONNREFUSED', command: 'CONN' }, 'temporary'],
    ['unknown host', { code: 'EDNS', originalCode: 'ENOTFOUND', command: 'CONN' }, 'temporary'],
    ['no greeting', { code: 'ETIMEDOUT', timeoutType: 'GREETING_TIMEOUT', command: 'CONN' }, 'temporary'],
    ['connect timeout', { code: 'ETIMEDOUT', timeoutType: 'CONNECT_TIMEOUT', command: 'CONN' }, 'temporary'],
    ['TLS refused', { code: 'ETLS', command: 'STARTTLS' }, 'temporary'],
    ['log-in refused (our setting)', { code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN' }, 'temporary'],
    ['invalid address (nodemailer)', { code: 'EENVELOPE', command: 'API' }, 'permanent'],
    // The message may have arrived.
    ['silent after DATA', { code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT', command: 'CONN' }, 'unknown'],
    ['connection dropped', { code: 'ECONNECTION', command: 'CONN' }, 'unknown'],
    ['socket reset', { code: 'ESOCKET', originalCode: 'ECONNRESET', command: 'CONN' }, 'unknown'],
    ['not a nodemailer error', new Error('bug'), 'unknown'],
  ])('%s → %s', (_label, error, kind) => {
    expect(classifySmtpError(error)).toBe(kind);
  });
});

describe('SMTP transport', () => {
  async function freePort(): Promise<number> {
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    server.close();
    await once(server, 'close');
    return port;
  }

  it('reports a server nobody listens on as a temporary failure, from nodemailer’s own error', async () => {
    const transport = new SmtpTransport({
      url: `smtp://user:pass@127.0.0.1:${await freePort()}`,
      from: '中国注册会计师协会 <noreply@cicpa.example>',
      timeoutMs: 2000,
    });
    const error: unknown = await transport
      .send({ id: 'n-1', channel: 'mail', recipient: 'member@example.com', subject: '测试', body: '正文' })
      .catch((e: unknown) => e);
    transport.close();
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).kind).toBe('temporary');
    expect((error as DeliveryError).message).toMatch(/^SMTP ESOCKET: .*ECONNREFUSED/);
  });
});
