/**
 * The external comparison service's contract, against a real HTTP server on 127.0.0.1 that
 * answers, fails and hangs. Every way of not answering must surface as
 * PhotoComparisonUnavailableError, which sends the member to on-site verification (R7c).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpPhotoComparisonProvider, PhotoComparisonUnavailableError } from '@app/photo';

const reference = Buffer.from([0xff, 0xd8, 0xff, 0x01, 0x02]);
const candidate = Buffer.from([0xff, 0xd8, 0xff, 0x03, 0x04]);

let server: Server;
let base: string;
const received: { path: string; body: Record<string, string> }[] = [];

const routes: Record<string, (res: ServerResponse) => void> = {
  '/same': (res) => json(res, 200, { score: 0.93, faces: 1 }),
  '/different': (res) => json(res, 200, { score: 0.12 }),
  '/no-face': (res) => json(res, 200, { score: null, faces: 0 }),
  '/two-faces': (res) => json(res, 200, { score: null, faces: 2 }),
  '/count': (res) => json(res, 200, { faces: 1 }),
  '/down': (res) => json(res, 503, { error: 'maintenance' }),
  '/garbage': (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('<html>'),
  '/out-of-range': (res) => json(res, 200, { score: 87 }),
  '/hang': () => undefined, // never answers
  '/stall': (res) => res.writeHead(200, { 'content-type': 'application/json' }).write('{"score":'), // headers, then nothing
};

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void readBody(req).then((body) => {
      received.push({ path: req.url ?? '', body });
      (routes[req.url ?? ''] ?? ((r: ServerResponse) => json(r, 404, {})))(res);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections(); // the hanging requests
  server.close();
  await once(server, 'close');
});

const provider = (route: string, timeoutMs = 5000) =>
  new HttpPhotoComparisonProvider({ url: base + route, threshold: 0.8, timeoutMs });

describe('HTTP photo comparison provider', () => {
  it('posts both photos as base64 JSON and turns the score into a verdict', async () => {
    expect(await provider('/same').compare(reference, candidate)).toEqual({
      outcome: 'match',
      score: 0.93,
      threshold: 0.8,
      provider: 'http',
    });
    const request = received.find((r) => r.path === '/same')!;
    expect(Buffer.from(request.body.reference, 'base64')).toEqual(reference);
    expect(Buffer.from(request.body.candidate, 'base64')).toEqual(candidate);

    expect(await provider('/different').compare(reference, candidate)).toMatchObject({
      outcome: 'noMatch',
      score: 0.12,
    });
    expect(await provider('/no-face').compare(reference, candidate)).toMatchObject({ outcome: 'noFace', score: null });
    expect(await provider('/two-faces').compare(reference, candidate)).toMatchObject({ outcome: 'multipleFaces' });
  });

  it('counts faces by sending the candidate alone', async () => {
    expect(await provider('/count').countFaces(candidate)).toBe(1);
    expect(received.find((r) => r.path === '/count')!.body).toEqual({ candidate: candidate.toString('base64') });
    await expect(provider('/different').countFaces(candidate)).rejects.toThrow(PhotoComparisonUnavailableError);
  });

  it('is unavailable on a non-2xx answer or an unreadable body', async () => {
    await expect(provider('/down').compare(reference, candidate)).rejects.toThrow(/answered 503/);
    await expect(provider('/garbage').compare(reference, candidate)).rejects.toThrow(PhotoComparisonUnavailableError);
    await expect(provider('/out-of-range').compare(reference, candidate)).rejects.toThrow(/unexpected body/);
  });

  it('is unavailable when nothing listens', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/compare`;
    closed.close();
    await once(closed, 'close');
    const nobody = new HttpPhotoComparisonProvider({ url, threshold: 0.8, timeoutMs: 5000 });
    await expect(nobody.compare(reference, candidate)).rejects.toThrow(PhotoComparisonUnavailableError);
  });

  it('gives up on a service that hangs, before or after sending headers', async () => {
    await expect(provider('/hang', 300).compare(reference, candidate)).rejects.toThrow(/no answer within 300 ms/);
    await expect(provider('/stall', 300).compare(reference, candidate)).rejects.toThrow(/no answer within 300 ms/);
  });

  it("stops when the caller's signal aborts", async () => {
    const controller = new AbortController();
    const pending = provider('/hang', 60_000).compare(reference, candidate, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toThrow(/cancelled/);
  });
});
