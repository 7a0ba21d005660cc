import { describe, expect, it } from 'vitest';
import { ConfigError, describeDatabase, isLoopbackHost, issuers, loadConfig } from '../../src/config.js';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('fills every default from an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      databasePath: './data/tollgate.db',
      databaseUrl: undefined,
      databasePoolSize: 10,
      migrateOnStart: true,
      issuer: 'http://127.0.0.1:3000',
      warnings: [],
      tokenAudience: undefined,
      jwtAlg: 'ES256',
      trustProxy: [],
      testHosts: [],
      masterKey: undefined,
      ttl: { v1: 3600, v2: 3600, oauth2Access: 900, oauth2Refresh: 86400, common: null, graphql: 3600 },
      lockout: { maxFailures: 5, maxFailuresPerIp: 50, windowSeconds: 900, lockSeconds: 900 },
      logLevel: 'info',
      production: false,
      development: false,
      metricsPort: undefined,
      auditRetentionDays: 365,
      verifyCache: { entries: 10_000, bytes: 16 * 2 ** 20 },
      workers: 1,
    });
  });

  it('turns the verified-signature cache off with VERIFY_CACHE_ENTRIES=0', () => {
    expect(loadConfig({ VERIFY_CACHE_ENTRIES: '0' }).verifyCache.entries).toBe(0);
    expect(loadConfig({ VERIFY_CACHE_ENTRIES: '500', VERIFY_CACHE_BYTES: '65536' }).verifyCache).toEqual({
      entries: 500,
      bytes: 65536,
    });
  });

  it('derives the issuer from PORT and strips trailing slashes from ISSUER', () => {
    expect(loadConfig({ PORT: '8080' }).issuer).toBe('http://127.0.0.1:8080');
    expect(loadConfig({ ISSUER: 'https://auth.example.com/' }).issuer).toBe('https://auth.example.com');
  });

  it('defaults the issuer to the address it listens on, the one every document uses', () => {
    const c = loadConfig({});
    expect(c.issuer).toBe(`http://${c.host}:${c.port}`);
    expect(issuers(c)).toEqual({ live: 'http://127.0.0.1:3000', test: 'http://127.0.0.1:3000/test' });
  });

  it('warns, saying what to set, when HOST lets other machines in while ISSUER is unset', () => {
    for (const host of ['0.0.0.0', '::', '10.1.2.3', 'tollgate.internal']) {
      const [warning, ...more] = loadConfig({ HOST: host, PORT: '8080' }).warnings;
      expect(more).toEqual([]);
      expect(warning).toContain(`HOST=${host}`);
      expect(warning).toContain('http://127.0.0.1:8080');
      expect(warning).toContain('set ISSUER to the URL callers use');
    }
    expect(loadConfig({ HOST: '0.0.0.0', ISSUER: 'https://auth.example.com' }).warnings).toEqual([]);
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost', '[::1]']) {
      expect(loadConfig({ HOST: host }).warnings, host).toEqual([]);
      expect(isLoopbackHost(host), host).toBe(true);
    }
  });

  it('reads lists, trimmed, and accepts each algorithm', () => {
    const c = loadConfig({ TRUST_PROXY: ' 10.0.0.0/8 , ::1 ,', TEST_HOSTS: 'Sandbox.Example.com', JWT_ALG: 'EdDSA' });
    expect(c.trustProxy).toEqual(['10.0.0.0/8', '::1']);
    expect(c.testHosts).toEqual(['sandbox.example.com']);
    expect(c.jwtAlg).toBe('EdDSA');
    expect(loadConfig({ JWT_ALG: 'RS256' }).jwtAlg).toBe('RS256');
  });

  it('treats an empty PORT as unset, like every other variable', () => {
    expect(loadConfig({ PORT: '' }).port).toBe(3000);
  });
});

describe('CLIENT_ACCESS_TOKEN_EXPIRE_MINUTES', () => {
  it('is null (no expiry) when unset or empty', () => {
    expect(loadConfig({}).ttl.common).toBeNull();
    expect(loadConfig({ CLIENT_ACCESS_TOKEN_EXPIRE_MINUTES: '' }).ttl.common).toBeNull();
  });

  it('turns minutes into seconds', () => {
    expect(loadConfig({ CLIENT_ACCESS_TOKEN_EXPIRE_MINUTES: '5' }).ttl.common).toBe(300);
    expect(loadConfig({ CLIENT_ACCESS_TOKEN_EXPIRE_MINUTES: '1' }).ttl.common).toBe(60);
  });

  it.each(['0', '-5', '1.5', 'abc', '5m', ' 5', '05', '1e3'])('stops start-up on %j, naming the variable', (value) => {
    const e = configError({ CLIENT_ACCESS_TOKEN_EXPIRE_MINUTES: value });
    expect(e.message).toContain('CLIENT_ACCESS_TOKEN_EXPIRE_MINUTES');
  });
});

describe('PostgreSQL settings', () => {
  it('selects PostgreSQL with DATABASE_URL, with its pool size and migration step', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgresql://db.example:5433/tollgate',
      TOLLGATE_MASTER_KEY: 'k'.repeat(32),
      DATABASE_POOL_SIZE: '4',
      MIGRATE_ON_START: 'false',
    });
    expect(c).toMatchObject({
      databaseUrl: 'postgresql://db.example:5433/tollgate',
      databasePoolSize: 4,
      migrateOnStart: false,
    });
    expect(describeDatabase({ ...c, databaseUrl: 'postgres://u:secret-pw@db.example/t' })).toBe(
      'postgres://u:***@db.example/t',
    );
    expect(describeDatabase(loadConfig({}))).toBe('./data/tollgate.db');
  });
});

describe('invalid settings stop start-up naming the variable', () => {
  it.each([
    ['JWT_ALG', 'HS256'],
    ['JWT_ALG', 'es256'],
    ['JWT_ALG', 'none'],
    ['PORT', 'abc'],
    ['PORT', '-1'],
    ['PORT', '65536'],
    ['PORT', '80.5'],
    ['PORT', ' 80'],
    ['TRUST_PROXY', 'not-an-ip'],
    ['TRUST_PROXY', '10.0.0.0/8,10.0.0.0/33'],
    ['TRUST_PROXY', '0177.0.0.1'],
    ['TOLLGATE_MASTER_KEY', 'too-short'],
    ['TOLLGATE_MASTER_KEY', 'x'.repeat(31)],
    ['ISSUER', 'ftp://auth.example.com'],
    ['ISSUER', 'https://auth.example.com/?a=1'],
    ['TEST_HOSTS', 'bad host'],
    ['V1_TOKEN_TTL_SECONDS', '0'],
    ['LOCKOUT_MAX_FAILURES', 'five'],
    ['WORKERS', '65'],
    ['METRICS_PORT', '70000'],
    ['METRICS_PORT', 'nine'],
    ['AUDIT_RETENTION_DAYS', '0'],
    ['AUDIT_RETENTION_DAYS', '1.5'],
    ['LOG_FORMAT', 'fancy'],
    ['LOG_REQUESTS', 'maybe'],
    ['HEADERS_TIMEOUT_SECONDS', '0'],
    ['MAX_CONNECTIONS_PER_ADDRESS', '-1'],
    ['DATABASE_POOL_SIZE', '0'],
    ['DATABASE_URL', 'mysql://db.example/tollgate'],
    ['DATABASE_URL', 'not a url'],
    ['MIGRATE_ON_START', 'sometimes'],
    ['VERIFY_CACHE_ENTRIES', '-1'],
    ['VERIFY_CACHE_ENTRIES', '00'],
    ['VERIFY_CACHE_BYTES', '0'],
  ])('%s=%j', (name, value) => {
    const e = configError({ [name]: value });
    expect(e.message).toContain(name);
  });

  it('requires TOLLGATE_MASTER_KEY with PostgreSQL, naming it (there is no folder for a key file)', () => {
    const e = configError({ DATABASE_URL: 'postgres://tollgate:pw@db.example/tollgate' });
    expect(e.message).toContain('TOLLGATE_MASTER_KEY');
    expect(e.message).not.toContain('pw@');
  });

  it('never echoes a DATABASE_URL, which may hold a password', () => {
    expect(configError({ DATABASE_URL: 'mysql://u:hunter2-pw@db/x' }).message).not.toContain('hunter2-pw');
  });

  it('never echoes a short master key', () => {
    const e = configError({ TOLLGATE_MASTER_KEY: 'hunter2-secret' });
    expect(e.message).not.toContain('hunter2-secret');
  });

  it('accepts a master key of 32 characters', () => {
    expect(loadConfig({ TOLLGATE_MASTER_KEY: 'k'.repeat(32) }).masterKey).toBe('k'.repeat(32));
  });

  it('never pretty-prints in production, and refuses to be asked to', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(configError({ NODE_ENV: 'production', LOG_FORMAT: 'pretty' }).message).toContain('LOG_FORMAT');
    expect(configError({ HEADERS_TIMEOUT_SECONDS: '40', REQUEST_TIMEOUT_SECONDS: '30' }).message).toContain(
      'HEADERS_TIMEOUT_SECONDS',
    );
  });

  it('accepts the port range bounds', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({ PORT: '65535' }).port).toBe(65535);
  });
});
