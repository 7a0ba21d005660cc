import { describe, expect, it } from 'vitest';
import { clientJson, clientText, oldSecretText, spanText } from '../../src/cli/output.js';
import { graceEndsAt, type ClientView } from '../../src/domain/client.js';

const T0 = Date.UTC(2026, 11, 7, 15, 0);
const view = (over: Partial<ClientView> = {}): ClientView => ({
  id: 'cl_live_0123456789abcdef',
  name: 'svc',
  mode: 'live',
  scopes: [],
  orgId: null,
  allowedIps: [],
  enabled: true,
  secretGeneration: 2,
  graceEndsAt: null,
  createdAt: T0,
  updatedAt: T0,
  lastUsedAt: null,
  tokensPerMinute: null,
  burst: null,
  ...over,
});

describe('graceEndsAt', () => {
  it('is the grace end while it runs, null without one or once it is over (when acceptsGeneration stops)', () => {
    expect(graceEndsAt({ graceUntil: null }, T0)).toBeNull();
    expect(graceEndsAt({ graceUntil: T0 + 1 }, T0)).toBe(T0 + 1);
    expect(graceEndsAt({ graceUntil: T0 }, T0)).toBeNull();
    expect(graceEndsAt({ graceUntil: T0 - 1 }, T0)).toBeNull();
  });
});

describe('the CLI words for a grace', () => {
  it('writes a span as its two largest units', () => {
    expect([0, 1, 59, 60, 90, 3600, 3599.6, 5400, 86400, 90000, 93784].map(spanText)).toEqual([
      '0s',
      '1s',
      '59s',
      '1m',
      '1m 30s',
      '1h',
      '1h',
      '1h 30m',
      '1d',
      '1d 1h',
      '1d 2h',
    ]);
  });

  it('says until when the old secret works, in text and JSON, and that it stopped after a rotation without grace', () => {
    const running = view({ graceEndsAt: T0 + 3600_000 });
    expect(oldSecretText(running, T0)).toBe('works until 2026-12-07T16:00:00.000Z (in 1h)');
    expect(clientText(running, T0)).toContain('\n  old secret:  works until 2026-12-07T16:00:00.000Z (in 1h)');
    expect(clientJson(running, T0).graceEndsAt).toBe('2026-12-07T16:00:00.000Z');
    expect(clientJson(running, T0 + 3600_000).graceEndsAt).toBeNull();
    expect(clientText(view(), T0)).not.toContain('old secret');
    expect(clientText(view(), T0, 'sk_live_x', true)).toContain('  old secret:  stopped working now (no grace)');
    // The spec's keys stay, in their order; graceEndsAt and the quota are added, never a hash.
    expect(Object.keys(clientJson(view(), T0, 'sk_live_x'))).toEqual([
      'clientId',
      'name',
      'mode',
      'scopes',
      'allowedIps',
      'orgId',
      'enabled',
      'secretGeneration',
      'createdAt',
      'graceEndsAt',
      'tokensPerMinute',
      'burst',
      'clientSecret',
    ]);
  });
});
