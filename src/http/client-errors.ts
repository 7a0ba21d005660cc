import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { DomainError } from '../domain/errors.js';
import type { Renderer } from './door.js';

/** The request target of a raw request that Node could not parse, if its first line has one. */
export function requestTargetOf(rawPacket: unknown): string {
  if (!Buffer.isBuffer(rawPacket)) return '';
  const line = rawPacket.subarray(0, Math.min(rawPacket.length, 2048)).toString('latin1').split('\r\n', 1)[0] ?? '';
  return /^[A-Z]+ (\S+) HTTP\/1\.[01]$/.exec(line)?.[1] ?? '';
}

/** Node's parser errors, as the status they deserve. */
function statusOf(err: { code?: string }): number {
  if (err.code === 'HPE_HEADER_OVERFLOW') return 431;
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

const MESSAGES: Record<number, string> = {
  400: 'Malformed request',
  408: 'The request was not received in time',
  431: 'Request headers are too large',
};

/**
 * Answers what Node's HTTP parser refused (oversized headers, broken framing, a stalled
 * request) in the envelope of the door the request line names, with the parser's status and
 * without echoing the path or a framework code; then closes the connection, whose framing can no
 * longer be trusted.
 */
export function answerClientError(
  err: Error & { code?: string; rawPacket?: unknown },
  socket: Duplex,
  envelope: (target: string) => Renderer,
): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = statusOf(err);
  const rendered = envelope(requestTargetOf(err.rawPacket))(new DomainError('invalid_request', MESSAGES[status]!));
  const body = JSON.stringify(rendered.body);
  const headers = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Cache-Control: no-store',
    'Connection: close',
    ...Object.entries(rendered.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`);
}
