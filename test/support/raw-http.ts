import { connect } from 'node:net';

export interface RawAnswer {
  /** Everything the server wrote, as text. */
  text: string;
  statusLine: string;
  /** Header names lower-cased; repeated headers keep every value. */
  headers: Array<[string, string]>;
  /** Whether the server closed the connection on its own within the wait. */
  closedByServer: boolean;
}

/**
 * Sends bytes exactly as given over one TCP connection and collects the answer, for checks an
 * HTTP client would hide (framing headers, connection handling, malformed request lines).
 */
export function rawRequest(
  port: number,
  bytes: string,
  opts: { waitMs?: number; localAddress?: string } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      port,
      host: '127.0.0.1',
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    });
    let text = '';
    let closedByServer = false;
    const finish = () => {
      socket.destroy();
      const [head = ''] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = lines.map((l): [string, string] => [
        l.slice(0, l.indexOf(':')).toLowerCase(),
        l.slice(l.indexOf(':') + 1).trim(),
      ]);
      resolve({ text, statusLine, headers, closedByServer });
    };
    const timer = setTimeout(finish, opts.waitMs ?? 1500);
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('end', () => {
      closedByServer = true;
      clearTimeout(timer);
      finish();
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      if (text) finish();
      else reject(e);
    });
    socket.write(bytes);
  });
}

export const headerValues = (a: RawAnswer, name: string): string[] =>
  a.headers.filter(([n]) => n === name).map(([, v]) => v);
