import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from './config';

const valid = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/cicpa',
  SESSION_SECRET: 'x'.repeat(32),
};

describe('loadConfig', () => {
  it('reads no setting that .env.example does not document', () => {
    const read = new Set<string>();
    const env = new Proxy<Record<string, string | undefined>>(
      { ...valid },
      {
        get(target, key) {
          if (typeof key === 'string' && /^[A-Z][A-Z0-9_]*$/.test(key)) read.add(key);
          return typeof key === 'string' ? target[key] : undefined;
        },
      },
    );
    loadConfig(env);
    const example = readFileSync(path.resolve(__dirname, '../../../.env.example'), 'utf8');
    const documented = new Set([...example.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    expect(read.size).toBeGreaterThan(30);
    expect([...read].filter((key) => !documented.has(key)).sort()).toEqual([]);
  });

  it('applies typed defaults to a minimal environment', () => {
    const config = loadConfig(valid, '/srv/app');
    expect(config.api.port).toBe(3000);
    expect(config.temporal.address).toBe('127.0.0.1:7233');
    expect(config.temporal.workerQueues).toEqual(['registry', 'render']);
    expect(config.storage.blobDir).toBe('/srv/app/.data/blobs');
    expect(config.tasks.reminderAfterSeconds).toBe(3 * 86400);
  });

  it('names every missing or malformed setting at once', () => {
    let error: unknown;
    try {
      loadConfig({ API_PORT: 'eighty', TEMPORAL_ADDRESS: 'nohost', TASK_REMINDER_AFTER: '3 weeks' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of ['DATABASE_URL', 'SESSION_SECRET', 'API_PORT', 'TEMPORAL_ADDRESS', 'TASK_REMINDER_AFTER']) {
      expect(message).toContain(name);
    }
  });

  it('rejects a short session secret and a non-postgres database URL', () => {
    expect(() => loadConfig({ ...valid, SESSION_SECRET: 'short' })).toThrow(/SESSION_SECRET must be at least 32/);
    expect(() => loadConfig({ ...valid, DATABASE_URL: 'mysql://x@y/z' })).toThrow(/DATABASE_URL must be a postgres/);
  });

  it('parses durations and queue lists', () => {
    const config = loadConfig({ ...valid, TASK_REMINDER_AFTER: '15m', WORKER_TASK_QUEUES: 'render' });
    expect(config.tasks.reminderAfterSeconds).toBe(900);
    expect(config.temporal.workerQueues).toEqual(['render']);
    expect(() => loadConfig({ ...valid, WORKER_TASK_QUEUES: 'render,gpu' })).toThrow(/WORKER_TASK_QUEUES/);
  });

  it('groups up to 10 certificates a print by default; RENDER_MAX_GROUP=1 prints each alone', () => {
    expect(loadConfig(valid).render.maxGroup).toBe(10);
    expect(loadConfig({ ...valid, RENDER_MAX_GROUP: '1' }).render.maxGroup).toBe(1);
    expect(() => loadConfig({ ...valid, RENDER_MAX_GROUP: '0' })).toThrow(/RENDER_MAX_GROUP/);
  });

  it('reads the photo verification settings (R7b/R7c) with defaults that keep on-site review', () => {
    const defaults = loadConfig(valid).photo;
    expect(defaults).toEqual({
      comparisonAvailable: false,
      provider: 'offline',
      url: undefined,
      threshold: 0.57,
      timeoutSeconds: 20,
      maxBytes: 2 * 1024 * 1024,
    });
    const http = loadConfig({
      ...valid,
      PHOTO_COMPARISON_AVAILABLE: 'true',
      PHOTO_COMPARISON_PROVIDER: 'http',
      PHOTO_COMPARISON_URL: 'https://face.example/compare',
      PHOTO_COMPARISON_THRESHOLD: '0.8',
      PHOTO_COMPARISON_TIMEOUT: '2m',
      PHOTO_MAX_BYTES: '1048576',
    }).photo;
    expect(http).toEqual({
      comparisonAvailable: true,
      provider: 'http',
      url: 'https://face.example/compare',
      threshold: 0.8,
      timeoutSeconds: 120,
      maxBytes: 1048576,
    });
  });

  it('reads the campaign page size (R19): 500 by default, 10 to 5000', () => {
    expect(loadConfig(valid).campaign).toEqual({ pageSize: 500 });
    expect(loadConfig({ ...valid, CAMPAIGN_PAGE_SIZE: '50' }).campaign.pageSize).toBe(50);
    for (const bad of ['9', '5001', '12.5', 'many']) {
      expect(() => loadConfig({ ...valid, CAMPAIGN_PAGE_SIZE: bad })).toThrow(
        /CAMPAIGN_PAGE_SIZE must be a whole number/,
      );
    }
  });

  it('rejects malformed photo settings and an http provider without a URL', () => {
    expect(() => loadConfig({ ...valid, PHOTO_COMPARISON_PROVIDER: 'http' })).toThrow(
      /PHOTO_COMPARISON_URL is required/,
    );
    const bad = {
      PHOTO_COMPARISON_AVAILABLE: 'yes',
      PHOTO_COMPARISON_PROVIDER: 'cloud',
      PHOTO_COMPARISON_URL: 'ftp://x',
      PHOTO_COMPARISON_THRESHOLD: '1.5',
      PHOTO_COMPARISON_TIMEOUT: 'soon',
      PHOTO_MAX_BYTES: '2MB',
    };
    for (const [name, value] of Object.entries(bad)) {
      expect(() => loadConfig({ ...valid, [name]: value })).toThrow(new RegExp(name));
    }
  });

  it('reads the outbox delivery settings (R14) with defaults that deliver nothing', () => {
    expect(loadConfig(valid).notifications).toEqual({
      nationalContactEmail: 'registration@cicpa.example',
      mail: {
        transport: 'outbox',
        smtpUrl: undefined,
        from: '中国注册会计师协会 <noreply@cicpa.example>',
        timeoutSeconds: 30,
      },
      sms: { transport: 'outbox', gatewayUrl: undefined, gatewayToken: undefined, timeoutSeconds: 10 },
      maxAttempts: 5,
      retryAfterSeconds: 60,
      pollIntervalSeconds: 5,
    });
    const live = loadConfig({
      ...valid,
      MAIL_TRANSPORT: 'smtp',
      SMTP_URL: 'smtps://mailer:secret@smtp.cicpa.example:465',
      MAIL_FROM: '注协 <notice@cicpa.example>',
      SMTP_TIMEOUT: '1m',
      SMS_TRANSPORT: 'http',
      SMS_GATEWAY_URL: 'https://sms.example/send',
      SMS_GATEWAY_TOKEN: 'token-1',
      SMS_GATEWAY_TIMEOUT: '5s',
      NOTIFICATION_MAX_ATTEMPTS: '3',
      NOTIFICATION_RETRY_AFTER: '2m',
      NOTIFICATION_POLL_INTERVAL: '1s',
    }).notifications;
    expect(live).toEqual({
      nationalContactEmail: 'registration@cicpa.example',
      mail: {
        transport: 'smtp',
        smtpUrl: 'smtps://mailer:secret@smtp.cicpa.example:465',
        from: '注协 <notice@cicpa.example>',
        timeoutSeconds: 60,
      },
      sms: { transport: 'http', gatewayUrl: 'https://sms.example/send', gatewayToken: 'token-1', timeoutSeconds: 5 },
      maxAttempts: 3,
      retryAfterSeconds: 120,
      pollIntervalSeconds: 1,
    });
  });

  it('rejects malformed delivery settings and live transports without their endpoint', () => {
    expect(() => loadConfig({ ...valid, MAIL_TRANSPORT: 'smtp' })).toThrow(/SMTP_URL is required/);
    expect(() => loadConfig({ ...valid, SMS_TRANSPORT: 'http', SMS_GATEWAY_URL: 'https://sms.example' })).toThrow(
      /SMS_GATEWAY_URL and SMS_GATEWAY_TOKEN are required/,
    );
    const bad = {
      MAIL_TRANSPORT: 'sendmail',
      SMTP_URL: 'http://mail.example',
      SMTP_TIMEOUT: 'long',
      SMS_TRANSPORT: 'smpp',
      SMS_GATEWAY_URL: 'ftp://sms.example',
      SMS_GATEWAY_TIMEOUT: '0',
      NOTIFICATION_MAX_ATTEMPTS: '0',
      NOTIFICATION_RETRY_AFTER: 'later',
      NOTIFICATION_POLL_INTERVAL: '-5',
    };
    for (const [name, value] of Object.entries(bad)) {
      expect(() => loadConfig({ ...valid, [name]: value })).toThrow(new RegExp(name));
    }
    // The SMTP URL may carry a password: a bad one is named, never echoed.
    expect(() => loadConfig({ ...valid, SMTP_URL: 'smtpx://user:hunter2@mail.example' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  });
});
