import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isDomainError } from '../../src/domain/errors.js';
import { guard, isUnavailable, redactUrl } from '../../src/infra/db/pg/connection.js';

const dbError = (code: string): pg.DatabaseError =>
  Object.assign(new pg.DatabaseError('server said no', 0, 'error'), { code });
const sysError = (code: string): Error => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });

/** Which PostgreSQL failures are `unavailable` (503 + Retry-After) and which stay errors of their own. */
describe('PostgreSQL errors', () => {
  it.each([
    ['admin shutdown', dbError('57P01')],
    ['cannot connect now', dbError('57P03')],
    ['statement timeout', dbError('57014')],
    ['lock timeout', dbError('55P03')],
    ['too many connections', dbError('53300')],
    ['connection failure', dbError('08006')],
    ['serialization failure', dbError('40001')],
    ['deadlock', dbError('40P01')],
    ['refused', sysError('ECONNREFUSED')],
    ['reset', sysError('ECONNRESET')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['terminated', new Error('Connection terminated unexpectedly')],
  ])('%s is unavailable', async (_name, err) => {
    expect(isUnavailable(err)).toBe(true);
    const thrown = await guard(() => Promise.reject(err)).catch((e: unknown) => e);
    expect(isDomainError(thrown) && thrown.code).toBe('unavailable');
  });

  it('judges the driver error drizzle wraps in its own', async () => {
    const wrapped = new Error('Failed query: select "kid" from "signing_keys"', { cause: dbError('57P01') });
    expect(isUnavailable(wrapped)).toBe(true);
    expect(isUnavailable(new Error('Failed query: insert', { cause: dbError('23505') }))).toBe(false);
    const lost = new Error('Failed query: select 1', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    });
    expect(isUnavailable(lost)).toBe(true);
  });

  it.each([
    ['unique violation', dbError('23505')],
    ['undefined table', dbError('42P01')],
    ['an audit builder that throws', new Error('audit write failed')],
  ])('%s stays itself', async (_name, err) => {
    expect(isUnavailable(err)).toBe(false);
    await expect(guard(() => Promise.reject(err))).rejects.toBe(err);
  });

  it('never shows a password in a URL it names', () => {
    expect(redactUrl('postgres://tollgate:hunter2@db:5432/tg')).toBe('postgres://tollgate:***@db:5432/tg');
    expect(redactUrl('::')).toBe('an unparsable URL');
  });
});
