/**
 * Boots the real API (Nest + Fastify) in the test process on a free port, against the
 * PostgreSQL and Temporal dev server started by the global set-up.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { loadConfig, type AppConfig } from '@app/config';
import { createApiApp } from '../../apps/api/src/app.factory';
import { track } from './open-resources';

export interface TestApi {
  app: NestFastifyApplication;
  baseUrl: string;
  config: AppConfig;
  dataSource: DataSource;
  close(): Promise<void>;
}

export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({
    ...process.env,
    LOG_LEVEL: 'warn',
    ...overrides,
  });
}

export function startApi(overrides: Record<string, string> = {}): Promise<TestApi> {
  return track('API', bootApi(overrides));
}

async function bootApi(overrides: Record<string, string>): Promise<TestApi> {
  const config = testConfig(overrides);
  const app = await createApiApp(config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    baseUrl: `http://127.0.0.1:${address.port}`,
    config,
    dataSource: app.get(DataSource),
    close: () => app.close(),
  };
}

/** A logged-in client: keeps the session cookie like a browser would. */
export class Session {
  private cookie?: string;
  constructor(private readonly baseUrl: string) {}

  async request(method: string, path: string, body?: unknown, form = false): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.cookie) headers.cookie = this.cookie;
    let payload: string | undefined;
    if (body !== undefined) {
      headers['content-type'] = form ? 'application/x-www-form-urlencoded' : 'application/json';
      payload = form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body);
    }
    const response = await fetch(this.baseUrl + path, { method, headers, body: payload, redirect: 'manual' });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0];
    return response;
  }

  get(path: string) {
    return this.request('GET', path);
  }

  post(path: string, body?: unknown) {
    return this.request('POST', path, body);
  }

  postForm(path: string, body: Record<string, string>) {
    return this.request('POST', path, body, true);
  }
}

/** The JSON body of a response, typed loosely for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function readJson(response: Response): Promise<any> {
  return response.json();
}
