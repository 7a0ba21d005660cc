import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../support/harness.js';

describe('SQLite token store: refresh rows', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  const synchronous = () => h.services.db.$client.pragma('synchronous', { simple: true });

  it('writes a refresh row and leaves the connection at synchronous=FULL for everything else', async () => {
    const c = await h.client();
    expect(synchronous()).toBe(2);
    const now = Date.now();
    const record = { hash: 'h'.repeat(43), clientId: c.id, mode: 'live' as const, generation: 1, scopes: ['read'], expiresAt: now + 60_000, createdAt: now };
    await h.services.deps.tokenStore.saveRefreshToken(record);
    expect(await h.services.deps.tokenStore.findRefreshToken(record.hash)).toEqual(record);
    expect(synchronous()).toBe(2);
  });

  it('is back at FULL even when the insert fails', async () => {
    const c = await h.client();
    const now = Date.now();
    const record = { hash: 'x'.repeat(43), clientId: c.id, mode: 'live' as const, generation: 1, scopes: [], expiresAt: now + 60_000, createdAt: now };
    await h.services.deps.tokenStore.saveRefreshToken(record);
    await expect(h.services.deps.tokenStore.saveRefreshToken(record)).rejects.toThrow(/UNIQUE/);
    expect(synchronous()).toBe(2);
  });
});
