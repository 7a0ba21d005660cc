import { isIP } from 'node:net';
import { dirname, resolve, sep } from 'node:path';
import { cpus } from 'node:os';
import type { LockoutPolicy } from './domain/lockout.js';
import { parseCidr } from './domain/ip.js';
import { JWT_ALGS, type JwtAlg } from './domain/token.js';

export interface Config {
  port: number;
  host: string;
  databasePath: string;
  /** A `postgres://` URL: PostgreSQL instead of the SQLite file at databasePath. */
  databaseUrl: string | undefined;
  /** Connections each process keeps to PostgreSQL. */
  databasePoolSize: number;
  /** Apply pending migrations at start-up (false: `tollgate migrate` runs them as a separate step). */
  migrateOnStart: boolean;
  issuer: string;
  /**
   * What start-up should warn of (no secret in any): a HOST other machines may reach while
   * ISSUER is unset, so tokens would name an address only this machine can reach.
   */
  warnings: string[];
  tokenAudience: string | undefined;
  jwtAlg: JwtAlg;
  trustProxy: string[];
  testHosts: string[];
  masterKey: string | undefined;
  ttl: {
    v1: number;
    v2: number;
    oauth2Access: number;
    oauth2Refresh: number;
    /** Seconds, or null: common-door tokens do not expire unless configured. */
    common: number | null;
    graphql: number;
  };
  lockout: LockoutPolicy;
  logLevel: string;
  /** `pretty` for a terminal outside production, else `json`. */
  logFormat: 'json' | 'pretty';
  /** Whether each request is logged (errors always are). */
  logRequests: boolean;
  /** Socket deadlines and limits against slow or hoarding senders. */
  connections: {
    /** Milliseconds a client has to send its whole header block. */
    headersTimeoutMs: number;
    /** Milliseconds a client has to send its whole request, body included. */
    requestTimeoutMs: number;
    /** Milliseconds an idle keep-alive connection is kept. */
    keepAliveTimeoutMs: number;
    /** Open connections one source address may hold (TRUST_PROXY peers exempt). */
    maxPerAddress: number;
  };
  /** A separate port for /metrics alone; unset, /metrics is served with the API. */
  metricsPort: number | undefined;
  /** Audit events older than this many days are purged. */
  auditRetentionDays: number;
  /** Usage counts (spec §11): kept this many days, written from memory this often. */
  usage: { retentionDays: number; flushSeconds: number };
  /** The developer panel (spec §7). */
  panel: {
    /** PANEL_REQUIRE_TOTP=1: admins must enrol TOTP before they can do anything else. */
    requireTotpForAdmins: boolean;
    /** A session unused this long ends. */
    sessionIdleMinutes: number;
    /** A session ends this long after sign-in, used or not. */
    sessionAbsoluteHours: number;
  };
  /** Tokens whose verified signature is remembered (0: none), and the bytes they may take. */
  verifyCache: { entries: number; bytes: number };
  production: boolean;
  /** NODE_ENV=development, set on purpose: only then do GraphQL errors carry their original error. */
  development: boolean;
  workers: number;
  /** OpenTelemetry export, when OTEL_EXPORTER_OTLP_ENDPOINT is set (see src/infra/telemetry.ts). */
  otel: OtelConfig | undefined;
}

export interface OtelConfig {
  serviceName: string;
  /** Milliseconds between metric exports (OTEL_METRIC_EXPORT_INTERVAL). */
  metricIntervalMs: number;
  /** Milliseconds a finished span may wait to be sent with others (OTEL_BSP_SCHEDULE_DELAY). */
  spanDelayMs: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function positiveInt(env: Env, name: string, fallback: number, max = 10 * 365 * 24 * 3600): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^[1-9]\d*$/.test(raw) || Number(raw) > max) {
    throw new ConfigError(`${name} must be a positive whole number (at most ${max}), got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

/** Like positiveInt, and 0 is allowed (a setting that 0 turns off). */
function wholeNumber(env: Env, name: string, fallback: number, max: number): number {
  const raw = env[name];
  if (raw === '0') return 0;
  if (raw !== undefined && raw !== '' && !/^[1-9]\d*$/.test(raw)) {
    throw new ConfigError(`${name} must be a whole number (0 to ${max}), got ${JSON.stringify(raw)}`);
  }
  return positiveInt(env, name, fallback, max);
}

function list(env: Env, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(raw)}`);
}

/** Pretty lines only for a person: a terminal, outside production; LOG_FORMAT decides when set. */
function logFormat(env: Env, production: boolean): 'json' | 'pretty' {
  const raw = env.LOG_FORMAT;
  if (raw === 'json' || raw === 'pretty') {
    if (raw === 'pretty' && production)
      throw new ConfigError('LOG_FORMAT=pretty is for development; production logs JSON lines');
    return raw;
  }
  if (raw !== undefined && raw !== '')
    throw new ConfigError(`LOG_FORMAT must be json or pretty, got ${JSON.stringify(raw)}`);
  return !production && process.stdout.isTTY === true ? 'pretty' : 'json';
}

/** Reads and validates the environment once, at start-up; a bad value stops start-up naming the variable. */
export function loadConfig(env: Env = process.env): Config {
  const portText = env.PORT || '3000';
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port > 65535) {
    throw new ConfigError(`PORT must be a whole number from 0 to 65535, got ${JSON.stringify(env.PORT)}`);
  }
  const host = env.HOST || '127.0.0.1';
  // The address it listens on by default, so the README's http://127.0.0.1:3000 is the issuer too.
  const issuer = (env.ISSUER || `http://127.0.0.1:${port}`).replace(/\/+$/, '');
  try {
    const u = new URL(issuer);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error();
    if (u.search || u.hash) throw new Error();
  } catch {
    throw new ConfigError(`ISSUER must be an http(s) URL without query or fragment, got ${JSON.stringify(env.ISSUER)}`);
  }
  const jwtAlg = (env.JWT_ALG || 'ES256') as JwtAlg;
  if (!JWT_ALGS.includes(jwtAlg))
    throw new ConfigError(`JWT_ALG must be one of ${JWT_ALGS.join(', ')}, got ${JSON.stringify(env.JWT_ALG)}`);
  const trustProxy = list(env, 'TRUST_PROXY');
  for (const cidr of trustProxy) {
    if (!parseCidr(cidr))
      throw new ConfigError(`TRUST_PROXY holds ${JSON.stringify(cidr)}, which is not an IP address or CIDR`);
  }
  const testHosts = list(env, 'TEST_HOSTS').map((h) => h.toLowerCase());
  for (const h of testHosts) {
    if (!/^[a-z0-9.-]+$/.test(h) && !isIP(h))
      throw new ConfigError(`TEST_HOSTS holds ${JSON.stringify(h)}, which is not a host name`);
  }
  const masterKey = env.TOLLGATE_MASTER_KEY;
  if (masterKey !== undefined && masterKey !== '' && masterKey.length < 32) {
    throw new ConfigError('TOLLGATE_MASTER_KEY must be at least 32 characters');
  }
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl !== undefined) {
    if (!isPostgresUrl(databaseUrl)) throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL');
    if (masterKey === undefined || masterKey === '') {
      throw new ConfigError(
        'TOLLGATE_MASTER_KEY is required with DATABASE_URL (PostgreSQL has no folder beside the database for a key ' +
          'file)',
      );
    }
  }
  const commonMinutes = env.CLIENT_ACCESS_TOKEN_EXPIRE_MINUTES;
  const common =
    commonMinutes === undefined || commonMinutes === ''
      ? null
      : positiveInt(env, 'CLIENT_ACCESS_TOKEN_EXPIRE_MINUTES', 0, 10 * 365 * 24 * 60) * 60;
  if (positiveInt(env, 'HEADERS_TIMEOUT_SECONDS', 10, 600) > positiveInt(env, 'REQUEST_TIMEOUT_SECONDS', 30, 3600)) {
    throw new ConfigError('HEADERS_TIMEOUT_SECONDS must not exceed REQUEST_TIMEOUT_SECONDS');
  }
  const production = env.NODE_ENV === 'production';
  const development = env.NODE_ENV === 'development';
  const workersRaw = env.WORKERS;
  const workers =
    workersRaw === undefined || workersRaw === ''
      ? production
        ? cpus().length
        : 1
      : positiveInt(env, 'WORKERS', 1, 64);
  const warnings: string[] = [];
  if (!env.ISSUER && !isLoopbackHost(host)) {
    warnings.push(
      `HOST=${host} lets other machines connect, but ISSUER is unset, so tokens and discovery name ${issuer}, ` +
        'an address only this machine reaches: set ISSUER to the URL callers use (e.g. https://auth.example.com)',
    );
  }
  return {
    port,
    host,
    databasePath: env.DATABASE_PATH || './data/tollgate.db',
    databaseUrl,
    databasePoolSize: positiveInt(env, 'DATABASE_POOL_SIZE', 10, 1000),
    migrateOnStart: flag(env, 'MIGRATE_ON_START', true),
    issuer,
    warnings,
    tokenAudience: env.TOKEN_AUDIENCE || undefined,
    jwtAlg,
    trustProxy,
    testHosts,
    masterKey,
    ttl: {
      v1: positiveInt(env, 'V1_TOKEN_TTL_SECONDS', 3600),
      v2: positiveInt(env, 'V2_TOKEN_TTL_SECONDS', 3600),
      oauth2Access: positiveInt(env, 'OAUTH2_ACCESS_TTL_SECONDS', 900),
      oauth2Refresh: positiveInt(env, 'OAUTH2_REFRESH_TTL_SECONDS', 86400),
      common,
      graphql: positiveInt(env, 'GRAPHQL_TOKEN_TTL_SECONDS', 3600),
    },
    lockout: {
      maxFailures: positiveInt(env, 'LOCKOUT_MAX_FAILURES', 5, 1_000_000),
      maxFailuresPerIp: positiveInt(env, 'LOCKOUT_MAX_FAILURES_PER_IP', 50, 1_000_000),
      windowSeconds: positiveInt(env, 'LOCKOUT_WINDOW_SECONDS', 900),
      lockSeconds: positiveInt(env, 'LOCKOUT_SECONDS', 900),
    },
    logLevel: env.LOG_LEVEL || 'info',
    logFormat: logFormat(env, production),
    logRequests: flag(env, 'LOG_REQUESTS', true),
    connections: {
      headersTimeoutMs: positiveInt(env, 'HEADERS_TIMEOUT_SECONDS', 10, 600) * 1000,
      requestTimeoutMs: positiveInt(env, 'REQUEST_TIMEOUT_SECONDS', 30, 3600) * 1000,
      keepAliveTimeoutMs: positiveInt(env, 'KEEP_ALIVE_TIMEOUT_SECONDS', 65, 600) * 1000,
      maxPerAddress: positiveInt(env, 'MAX_CONNECTIONS_PER_ADDRESS', 64, 1_000_000),
    },
    metricsPort: env.METRICS_PORT ? positiveInt(env, 'METRICS_PORT', 0, 65535) : undefined,
    auditRetentionDays: positiveInt(env, 'AUDIT_RETENTION_DAYS', 365, 100 * 365),
    usage: {
      retentionDays: positiveInt(env, 'USAGE_RETENTION_DAYS', 90, 100 * 365),
      // At most once a minute per instance by default; shorter only where a test or a demo wants
      // counts to show sooner.
      flushSeconds: positiveInt(env, 'USAGE_FLUSH_SECONDS', 60, 3600),
    },
    panel: {
      requireTotpForAdmins: flag(env, 'PANEL_REQUIRE_TOTP', false),
      sessionIdleMinutes: positiveInt(env, 'PANEL_SESSION_IDLE_MINUTES', 30, 7 * 24 * 60),
      sessionAbsoluteHours: positiveInt(env, 'PANEL_SESSION_MAX_HOURS', 12, 30 * 24),
    },
    verifyCache: {
      entries: wholeNumber(env, 'VERIFY_CACHE_ENTRIES', 10_000, 10_000_000),
      bytes: positiveInt(env, 'VERIFY_CACHE_BYTES', 16 * 2 ** 20, 2 ** 34),
    },
    production,
    development,
    workers,
    otel: otelConfig(env),
  };
}

/** OpenTelemetry's standard variables; the exporters read the rest (headers, per-signal endpoints). */
function otelConfig(env: Env): OtelConfig | undefined {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || flag(env, 'OTEL_SDK_DISABLED', false)) return undefined;
  if (!/^https?:\/\//.test(endpoint) || !URL.canParse(endpoint))
    throw new ConfigError(`OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL, got ${JSON.stringify(endpoint)}`);
  return {
    serviceName: env.OTEL_SERVICE_NAME || 'tollgate',
    metricIntervalMs: positiveInt(env, 'OTEL_METRIC_EXPORT_INTERVAL', 60_000, 24 * 3600_000),
    spanDelayMs: positiveInt(env, 'OTEL_BSP_SCHEDULE_DELAY', 5000, 3600_000),
  };
}

/** Whether HOST keeps the server to this machine: a loopback address or `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h.startsWith('::ffff:127.');
  return false;
}

/** The issuer of each mode (spec §1): the live one, and test mode's under `/test`. */
export const issuers = (config: Pick<Config, 'issuer'>): { live: string; test: string } => ({
  live: config.issuer,
  test: `${config.issuer}/test`,
});

/** Whether `value` names a PostgreSQL database (the only URL DATABASE_URL and `db copy` accept). */
export function isPostgresUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'postgres:' || u.protocol === 'postgresql:') && u.host !== '';
  } catch {
    return false;
  }
}

/** The database for logs and messages: the SQLite path, or the URL without its password. */
export function describeDatabase(config: Pick<Config, 'databasePath' | 'databaseUrl'>): string {
  if (config.databaseUrl === undefined) return config.databasePath;
  const u = new URL(config.databaseUrl);
  if (u.password) u.password = '***';
  return u.toString();
}

const within = (path: string, folder: string): boolean => path.startsWith(folder.endsWith(sep) ? folder : folder + sep);

/** What Node and the SQLite driver put on a failed listen or file access. */
interface SystemError {
  code?: string;
  syscall?: string;
  path?: string;
  address?: string;
  port?: number;
}

/**
 * A start-up failure in the words of the setting to change: a port in use or privileged
 * (`PORT`, `METRICS_PORT`), an address not on this machine (`HOST`), a database file or folder
 * this user may not write (`DATABASE_PATH`). Undefined for anything else, which is shown as it is.
 */
export function startupFailureText(e: unknown, config: Config): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const err = e as SystemError;
  if (err.syscall === 'listen') {
    const port = err.port ?? config.port;
    const setting = port === config.metricsPort && port !== config.port ? 'METRICS_PORT' : 'PORT';
    const where = `${config.host}:${port}`;
    if (err.code === 'EADDRINUSE')
      return (
        `${where} is already in use (another Tollgate, or another program, listens there): stop it, or set ` +
        `${setting} to a free port`
      );
    if (err.code === 'EACCES')
      return port < 1024
        ? `may not listen on ${where}: ports below 1024 need privileges; set ${setting} to 1024 or above ` +
            '(the default is 3000), or put a proxy in front'
        : `may not listen on ${where} (permission denied): set ${setting} or HOST to one this user may use`;
    if (err.code === 'EADDRNOTAVAIL')
      return (
        `cannot listen on ${where}: HOST=${config.host} is not an address of this machine; set HOST ` +
        '(127.0.0.1 for this machine only, 0.0.0.0 for every interface)'
      );
    return undefined;
  }
  if (config.databaseUrl !== undefined) return undefined;
  const denied = err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS';
  const sqlite = err.code === 'SQLITE_READONLY' || err.code === 'SQLITE_CANTOPEN';
  if (!denied && !sqlite) return undefined;
  // A refused path that is the database's folder, one above it (made on the way) or inside it.
  const folder = dirname(resolve(config.databasePath));
  const path = err.path === undefined ? undefined : resolve(err.path);
  const near = path !== undefined && (path === folder || within(path, folder) || within(folder, path));
  if (denied && !near) return undefined;
  const what = err.code === 'EROFS' ? 'on a read-only file system' : 'not writable by this user';
  return (
    `the database ${err.path ?? config.databasePath} (or its folder) is ${what}: set DATABASE_PATH to a file in a ` +
    `folder this user may write (now ${config.databasePath}), or give this user write access there`
  );
}
