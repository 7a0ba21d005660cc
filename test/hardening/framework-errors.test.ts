import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../support/harness.js';
import { rawRequest, type RawAnswer } from '../support/raw-http.js';

const bodyOf = (a: RawAnswer): unknown => JSON.parse(a.text.slice(a.text.indexOf('\r\n\r\n') + 4));

/**
 * Issue 16 item 7, over raw sockets: what is refused before any route runs answers in the
 * envelope of the door the path names, with no path and no framework code in it.
 */
describe('framework refusals in the door’s envelope', () => {
  let h: Harness;
  let port: number;
  beforeAll(async () => {
    h = await harness();
    port = await h.listen();
  });
  afterAll(() => h.close());

  const send = (text: string) => rawRequest(port, text, { waitMs: 1500 });
  const expectClean = (a: RawAnswer, path: string) => {
    expect(a.text).not.toContain('FST_');
    expect(a.text).not.toContain(path);
  };

  it.each([
    ['/v1/auth/token%ZZ', 400, { error: { code: '400013', code_reason: 'invalid_request' } }],
    ['/test/v2/credentials/oauth/token%ZZ', 400, { code: 3 }],
    ['/api/v1/oauth2/token%ZZ', 400, { error: 'invalid_request', code: 'INVALID_REQUEST' }],
    ['/api/v1/client/token%ZZ', 400, { code: 40001, data: null }],
    ['/auth/verify%ZZ', 400, { code: 'INVALID_REQUEST' }],
    ['/graphql%ZZ', 400, { errors: [{ extensions: { code: 'BAD_REQUEST' } }] }],
    ['/elsewhere%ZZ', 400, { error: 'invalid_request' }],
  ])('a malformed escape in %s', async (path, status, envelope) => {
    const a = await send(`POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(a.statusLine).toContain(` ${status} `);
    expect(bodyOf(a)).toMatchObject(envelope);
    expectClean(a, path.slice(0, -3));
  });

  it('oversized headers: 431 in the door’s envelope', async () => {
    const a = await send(
      `POST /v2/credentials/oauth/token HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(a.statusLine).toMatch(/^HTTP\/1\.1 431 /);
    expect(bodyOf(a)).toMatchObject({ code: 3, details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest' }] });
    expectClean(a, '/v2/credentials');
    const common = await send(`GET /test/api/v1/client/me HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(bodyOf(common)).toMatchObject({ code: 40001, data: null });
  });

  it('broken framing (Content-Length beside Transfer-Encoding, or not a number): 400 in the envelope, connection closed', async () => {
    const both = await send(
      'POST /api/v1/client/token HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    expect(both.statusLine).toMatch(/^HTTP\/1\.1 400 /);
    expect(bodyOf(both)).toMatchObject({ code: 40001, data: null });
    expect(both.closedByServer).toBe(true);
    const nan = await send('POST /api/v1/oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n');
    expect(bodyOf(nan)).toMatchObject({ error: 'invalid_request', code: 'INVALID_REQUEST' });
    expectClean(nan, '/api/v1/oauth2');
  });
});
