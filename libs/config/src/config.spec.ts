import { ConfigError, loadConfig } from './config';

const valid = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/cicpa',
  SESSION_SECRET: 'x'.repeat(32),
};

describe('loadConfig', () => {
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
});
