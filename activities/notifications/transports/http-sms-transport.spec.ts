import { classifyGatewayStatus, HttpSmsTransport } from './http-sms-transport';
import { DeliveryError, failureKindOf, type OutgoingMessage } from './transport';

const message: OutgoingMessage = {
  id: '6f1c2a4e-0000-4000-8000-000000000001',
  channel: 'sms',
  recipient: '13800138000',
  subject: null,
  body: '【中注协】张三：请于2025年12月31日前申领电子非执业会员证。',
};

/** A fetch that records the request and answers `status` with `body`. */
function answering(status: number, body = '') {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(body, { status });
  }) as unknown as typeof globalThis.fetch;
  return { calls, fetch };
}

async function failure(transport: HttpSmsTransport): Promise<DeliveryError> {
  const error: unknown = await transport.send(message).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

const transport = (fetch: typeof globalThis.fetch, timeoutMs = 1000) =>
  new HttpSmsTransport({ url: 'https://sms.example/v1/messages', token: 'secret-token', timeoutMs, fetch });

describe('SMS gateway adapter', () => {
  it.each([
    [200, 'delivered'],
    [202, 'delivered'],
    [400, 'permanent'],
    [404, 'permanent'],
    [422, 'permanent'],
    [401, 'temporary'],
    [403, 'temporary'],
    [408, 'temporary'],
    [425, 'temporary'],
    [429, 'temporary'],
    [500, 'temporary'],
    [503, 'temporary'],
    [302, 'temporary'],
  ] as const)('reads HTTP %i as %s', (status, verdict) => {
    expect(classifyGatewayStatus(status)).toBe(verdict);
  });

  it('posts {to, text, idempotencyKey} as JSON with the bearer token, and resolves on 2xx', async () => {
    const gateway = answering(202, '{"id":"g-1"}');
    await transport(gateway.fetch).send(message);
    expect(gateway.calls).toHaveLength(1);
    const [{ url, init }] = gateway.calls;
    expect(url).toBe('https://sms.example/v1/messages');
    expect(init.method).toBe('POST');
    expect(init.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer secret-token' });
    expect(JSON.parse(init.body as string)).toEqual({
      to: '13800138000',
      text: message.body,
      idempotencyKey: message.id,
    });
  });

  it('turns a 4xx into a permanent failure that quotes the answer, a 5xx into a temporary one', async () => {
    const refused = await failure(transport(answering(400, '{"error":"invalid mobile"}').fetch));
    expect(refused.kind).toBe('permanent');
    expect(refused.message).toBe('SMS gateway answered 400: {"error":"invalid mobile"}');
    const busy = await failure(transport(answering(503, 'maintenance').fetch));
    expect(busy.kind).toBe('temporary');
    expect(busy.message).toContain('503');
  });

  it('takes no answer (network error, timeout) as temporary: the idempotency key covers a repeat', async () => {
    const down = (async () => {
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') });
    }) as unknown as typeof globalThis.fetch;
    const refused = await failure(transport(down));
    expect(refused.kind).toBe('temporary');
    expect(refused.message).toContain('ECONNREFUSED');

    const silent = ((_url: string, init: RequestInit) =>
      new Promise((_resolve, reject) =>
        init.signal!.addEventListener('abort', () => reject(new Error('aborted'))),
      )) as unknown as typeof globalThis.fetch;
    const timedOut = await failure(transport(silent, 50));
    expect(timedOut.kind).toBe('temporary');
    expect(timedOut.message).toContain('no answer within 50 ms');
  });

  it('counts anything but a DeliveryError as an unknown outcome', () => {
    expect(failureKindOf(new DeliveryError('permanent', 'x'))).toBe('permanent');
    expect(failureKindOf(new Error('bug'))).toBe('unknown');
    expect(failureKindOf('string')).toBe('unknown');
  });
});
