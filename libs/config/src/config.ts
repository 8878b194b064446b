/**
 * Every setting of the system, read from the environment once at boot and validated, so a
 * missing or malformed value stops the process with a message that names it. `.env.example`
 * documents each one; keep the two in step.
 */
import os from 'node:os';
import path from 'node:path';

export type NodeEnv = 'development' | 'test' | 'production';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface AppConfig {
  readonly nodeEnv: NodeEnv;
  readonly logLevel: LogLevel;
  readonly api: {
    readonly host: string;
    readonly port: number;
    /** Base URL printed into QR codes and links: `https://<verify-host>`. */
    readonly publicBaseUrl: string;
  };
  readonly database: { readonly url: string; readonly poolSize: number };
  readonly temporal: {
    readonly address: string;
    readonly namespace: string;
    readonly uiUrl: string;
    readonly tls?: { readonly certPath: string; readonly keyPath: string; readonly caPath?: string };
    /** Which task queues this worker process serves (`registry`, `render`, or both). */
    readonly workerQueues: readonly string[];
    /** Prebuilt workflow bundle; without it the worker bundles from source at start. */
    readonly workflowBundlePath?: string;
  };
  readonly session: { readonly secret: string; readonly ttlSeconds: number };
  readonly storage: { readonly dataDir: string; readonly blobDir: string; readonly keysDir: string };
  readonly seal: { readonly keyPath: string; readonly certPath: string; readonly qrKeyPath: string };
  readonly render: {
    readonly chromiumPath: string;
    readonly poolSize: number;
    /** Most certificates printed in one Chromium document when renders queue up (CertificateRenderer). */
    readonly maxGroup: number;
  };
  readonly tasks: { readonly reminderAfterSeconds: number };
  /** The yearly inspection-and-reissue campaign (R19). */
  readonly campaign: {
    /** Members per page: one transaction of a batch activity, so also how far a crashed worker repeats. */
    readonly pageSize: number;
  };
  readonly notifications: {
    /** Where reminders for the national review queue go (the registration department). */
    readonly nationalContactEmail: string;
    /** R14 delivery of the outbox. `outbox`: nothing is sent, rows stay pending (the outbox is the dev mailbox). */
    readonly mail: {
      readonly transport: 'outbox' | 'smtp';
      /** `smtp://user:pass@host:587` or `smtps://…:465` (transport `smtp` only). */
      readonly smtpUrl?: string;
      /** The From header, e.g. `中国注册会计师协会 <noreply@cicpa.example>`. */
      readonly from: string;
      readonly timeoutSeconds: number;
    };
    readonly sms: {
      readonly transport: 'outbox' | 'http';
      /** The SMS gateway adapter's endpoint and bearer token (transport `http` only). */
      readonly gatewayUrl?: string;
      readonly gatewayToken?: string;
      readonly timeoutSeconds: number;
    };
    /** Hand-overs of one message before a temporary refusal becomes `failed`. */
    readonly maxAttempts: number;
    /** Wait after the first temporary refusal; doubles with every further attempt. */
    readonly retryAfterSeconds: number;
    /** How long the dispatcher sleeps when nothing is pending. */
    readonly pollIntervalSeconds: number;
  };
  /** Photo verification (R7b/R7c). */
  readonly photo: {
    /** R7c: until photo comparison is launched, remote uploads go to on-site review at the institute. */
    readonly comparisonAvailable: boolean;
    readonly provider: 'offline' | 'http';
    /** The external comparison service (provider `http` only). */
    readonly url?: string;
    /** Lowest similarity (0–1) accepted as the same person. */
    readonly threshold: number;
    readonly timeoutSeconds: number;
    /** Largest accepted photo upload in bytes. */
    readonly maxBytes: number;
  };
  readonly demoPassword?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee .env.example for every setting.`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads and validates the configuration; throws ConfigError naming every bad setting. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): AppConfig {
  const problems: string[] = [];
  const r = new Reader(env, problems);

  const nodeEnv = r.oneOf('NODE_ENV', ['development', 'test', 'production'] as const, 'development');
  const dataDir = path.resolve(cwd, r.string('DATA_DIR', '.data'));
  const keysDir = path.resolve(cwd, r.string('KEYS_DIR', path.join(dataDir, 'keys')));
  const apiPort = r.port('API_PORT', 3000);
  const tlsCert = r.optional('TEMPORAL_TLS_CERT_PATH');
  const tlsKey = r.optional('TEMPORAL_TLS_KEY_PATH');
  if (Boolean(tlsCert) !== Boolean(tlsKey)) {
    problems.push('TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH must be set together');
  }
  const secret = r.required('SESSION_SECRET');
  if (secret !== undefined && secret.length < 32) problems.push('SESSION_SECRET must be at least 32 characters');

  const photoProvider = r.oneOf('PHOTO_COMPARISON_PROVIDER', ['offline', 'http'] as const, 'offline');
  const photoUrl = r.optional('PHOTO_COMPARISON_URL');
  if (photoUrl !== undefined) r.url('PHOTO_COMPARISON_URL', photoUrl);
  else if (photoProvider === 'http')
    problems.push('PHOTO_COMPARISON_URL is required when PHOTO_COMPARISON_PROVIDER=http');

  const mailTransport = r.oneOf('MAIL_TRANSPORT', ['outbox', 'smtp'] as const, 'outbox');
  const smtpUrl = r.smtpUrl('SMTP_URL');
  if (mailTransport === 'smtp' && r.optional('SMTP_URL') === undefined)
    problems.push('SMTP_URL is required when MAIL_TRANSPORT=smtp');
  const smsTransport = r.oneOf('SMS_TRANSPORT', ['outbox', 'http'] as const, 'outbox');
  const smsUrl = r.optional('SMS_GATEWAY_URL');
  if (smsUrl !== undefined) r.url('SMS_GATEWAY_URL', smsUrl);
  const smsToken = r.optional('SMS_GATEWAY_TOKEN');
  if (smsTransport === 'http' && (smsUrl === undefined || smsToken === undefined))
    problems.push('SMS_GATEWAY_URL and SMS_GATEWAY_TOKEN are required when SMS_TRANSPORT=http');

  const config: AppConfig = {
    nodeEnv,
    logLevel: r.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    api: {
      host: r.string('API_HOST', '127.0.0.1'),
      port: apiPort,
      publicBaseUrl: r.url('PUBLIC_BASE_URL', `http://localhost:${apiPort}`).replace(/\/$/, ''),
    },
    database: { url: r.postgresUrl('DATABASE_URL'), poolSize: r.int('DATABASE_POOL_SIZE', 10, 1, 200) },
    temporal: {
      address: r.hostPort('TEMPORAL_ADDRESS', '127.0.0.1:7233'),
      namespace: r.string('TEMPORAL_NAMESPACE', 'default'),
      uiUrl: r.url('TEMPORAL_UI_URL', 'http://localhost:8233'),
      tls:
        tlsCert && tlsKey
          ? { certPath: tlsCert, keyPath: tlsKey, caPath: r.optional('TEMPORAL_TLS_CA_PATH') }
          : undefined,
      workerQueues: r.list('WORKER_TASK_QUEUES', ['registry', 'render'], ['registry', 'render']),
      workflowBundlePath: r.optional('WORKFLOW_BUNDLE_PATH'),
    },
    session: { secret: secret ?? '', ttlSeconds: r.int('SESSION_TTL_SECONDS', 8 * 3600, 60, 30 * 24 * 3600) },
    storage: { dataDir, blobDir: path.resolve(cwd, r.string('BLOB_DIR', path.join(dataDir, 'blobs'))), keysDir },
    seal: {
      keyPath: path.resolve(cwd, r.string('SEAL_KEY_PATH', path.join(keysDir, 'seal-key.pem'))),
      certPath: path.resolve(cwd, r.string('SEAL_CERT_PATH', path.join(keysDir, 'seal-cert.pem'))),
      qrKeyPath: path.resolve(cwd, r.string('QR_KEY_PATH', path.join(keysDir, 'qr-key.pem'))),
    },
    render: {
      chromiumPath: r.string('CHROMIUM_PATH', '/usr/bin/chromium'),
      poolSize: r.int('RENDER_POOL_SIZE', Math.max(1, os.availableParallelism()), 1, 64),
      maxGroup: r.int('RENDER_MAX_GROUP', 10, 1, 50),
    },
    tasks: { reminderAfterSeconds: r.duration('TASK_REMINDER_AFTER', 3 * 24 * 3600) },
    // A page is one transaction, and what a retried batch may redo; small pages let tests and demos watch it move.
    campaign: { pageSize: r.int('CAMPAIGN_PAGE_SIZE', 500, 10, 5000) },
    notifications: {
      nationalContactEmail: r.string('NATIONAL_CONTACT_EMAIL', 'registration@cicpa.example'),
      mail: {
        transport: mailTransport,
        smtpUrl,
        from: r.string('MAIL_FROM', '中国注册会计师协会 <noreply@cicpa.example>'),
        timeoutSeconds: r.duration('SMTP_TIMEOUT', 30),
      },
      sms: {
        transport: smsTransport,
        gatewayUrl: smsUrl,
        gatewayToken: smsToken,
        timeoutSeconds: r.duration('SMS_GATEWAY_TIMEOUT', 10),
      },
      maxAttempts: r.int('NOTIFICATION_MAX_ATTEMPTS', 5, 1, 100),
      retryAfterSeconds: r.duration('NOTIFICATION_RETRY_AFTER', 60),
      pollIntervalSeconds: r.duration('NOTIFICATION_POLL_INTERVAL', 5),
    },
    photo: {
      comparisonAvailable: r.bool('PHOTO_COMPARISON_AVAILABLE', false),
      provider: photoProvider,
      url: photoUrl,
      // 0.57 suits the offline model's cosine similarity (docs/decisions.md); an external
      // service has its own scale, so set it with PHOTO_COMPARISON_PROVIDER=http.
      threshold: r.number('PHOTO_COMPARISON_THRESHOLD', 0.57, 0, 1),
      timeoutSeconds: r.duration('PHOTO_COMPARISON_TIMEOUT', 20),
      maxBytes: r.int('PHOTO_MAX_BYTES', 2 * 1024 * 1024, 10 * 1024, 50 * 1024 * 1024),
    },
    demoPassword: r.optional('DEMO_PASSWORD'),
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** Collects problems instead of throwing at the first, so one start names them all. */
class Reader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  optional(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  required(name: string): string | undefined {
    const value = this.optional(name);
    if (value === undefined) this.problems.push(`${name} is required`);
    return value;
  }

  string(name: string, fallback: string): string {
    return this.optional(name) ?? fallback;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  /** A decimal number within [min, max]. */
  number(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^-?\d+(\.\d+)?$/.test(raw) || value < min || value > max) {
      this.problems.push(`${name} must be a number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  /** `true` or `false`, nothing looser, so a typo cannot silently turn a switch off. */
  bool(name: string, fallback: boolean): boolean {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    if (raw !== 'true' && raw !== 'false') {
      this.problems.push(`${name} must be true or false (got "${raw}")`);
      return fallback;
    }
    return raw === 'true';
  }

  port(name: string, fallback: number): number {
    return this.int(name, fallback, 1, 65535);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return raw as T;
  }

  list<T extends string>(name: string, allowed: readonly T[], fallback: T[]): T[] {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = items.filter((i) => !(allowed as readonly string[]).includes(i));
    if (!items.length || bad.length) {
      this.problems.push(`${name} must be a comma-separated list of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return items as T[];
  }

  url(name: string, fallback: string): string {
    const raw = this.optional(name) ?? fallback;
    try {
      const u = new URL(raw);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
      return raw;
    } catch {
      this.problems.push(`${name} must be an http(s) URL (got "${raw}")`);
      return fallback;
    }
  }

  /** An optional `smtp://` or `smtps://` URL; the problem never repeats the URL, which may hold a password. */
  smtpUrl(name: string): string | undefined {
    const raw = this.optional(name);
    if (raw === undefined) return undefined;
    try {
      const u = new URL(raw);
      if ((u.protocol !== 'smtp:' && u.protocol !== 'smtps:') || !u.hostname) throw new Error();
      return raw;
    } catch {
      this.problems.push(`${name} must be an smtp://user:password@host:port or smtps://… URL`);
      return undefined;
    }
  }

  postgresUrl(name: string): string {
    const raw = this.required(name);
    if (raw === undefined) return '';
    try {
      const u = new URL(raw);
      if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw new Error();
      return raw;
    } catch {
      this.problems.push(`${name} must be a postgres://user:password@host:port/database URL`);
      return '';
    }
  }

  hostPort(name: string, fallback: string): string {
    const raw = this.optional(name) ?? fallback;
    if (!/^[A-Za-z0-9.-]+:\d{1,5}$/.test(raw)) {
      this.problems.push(`${name} must be host:port (got "${raw}")`);
      return fallback;
    }
    return raw;
  }

  /** `90s`, `15m`, `12h`, `3d` or a number of seconds. */
  duration(name: string, fallbackSeconds: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallbackSeconds;
    const match = /^(\d+)\s*([smhd]?)$/.exec(raw);
    if (!match || Number(match[1]) === 0) {
      this.problems.push(`${name} must be a duration like 90s, 15m, 12h or 3d (got "${raw}")`);
      return fallbackSeconds;
    }
    const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
    return Number(match[1]) * unit;
  }
}
