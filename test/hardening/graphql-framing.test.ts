import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../support/harness.js';
import { headerValues, rawRequest } from '../support/raw-http.js';

/** Spec §5 / issue 16 item 5, over a real socket: an answer is framed once, and `Connection: close` is obeyed. */
describe('GraphQL response framing', () => {
  let h: Harness;
  let port: number;
  beforeAll(async () => {
    h = await harness();
    port = await h.listen();
  });
  afterAll(() => h.close());

  const post = (accept: string, connection: string) => {
    const body = JSON.stringify({ query: '{ __typename }' });
    return rawRequest(
      port,
      `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAccept: ${accept}\r\nConnection: ${connection}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };

  it.each(['multipart/mixed', 'text/event-stream', 'application/graphql-response+json; charset=utf-8, */*;q=0.5'])(
    'never sends Transfer-Encoding beside Content-Length, and closes when asked (Accept: %s)',
    async (accept) => {
      const res = await post(accept, 'close');
      expect(res.statusLine).toMatch(/^HTTP\/1\.1 200/);
      const framing = [
        headerValues(res, 'transfer-encoding').length > 0,
        headerValues(res, 'content-length').length > 0,
      ];
      expect(framing.filter(Boolean)).toHaveLength(1);
      expect(headerValues(res, 'content-length').length).toBeLessThanOrEqual(1);
      expect(headerValues(res, 'connection')).toEqual(['close']);
      expect(res.closedByServer).toBe(true);
    },
  );

  it('keeps the connection open when the caller asks for keep-alive', async () => {
    const res = await post('multipart/mixed', 'keep-alive');
    expect(res.statusLine).toMatch(/^HTTP\/1\.1 200/);
    expect(headerValues(res, 'connection')).not.toContain('close');
    expect(res.closedByServer).toBe(false);
  });
});
