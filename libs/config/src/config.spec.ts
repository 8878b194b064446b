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
});
