import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Config } from '../config.js';
import { ipInList, resolveSourceIp } from '../domain/ip.js';

/** How often Node checks the header and request deadlines (its default is 30 s, past them). */
const DEADLINE_CHECK_MS = 1000;

/**
 * The HTTP server with deadlines a slow sender cannot outlast: the headers within
 * `HEADERS_TIMEOUT_SECONDS`, the whole request within `REQUEST_TIMEOUT_SECONDS` (Node answers
 * 408 and closes), and an idle keep-alive connection for `KEEP_ALIVE_TIMEOUT_SECONDS`.
 */
export function createDeadlineServer(config: Config, handler: RequestListener): Server {
  const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = config.connections;
  const server = createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      keepAliveTimeout: keepAliveTimeoutMs,
      connectionsCheckingInterval: DEADLINE_CHECK_MS,
    },
    handler,
  );
  limitConnectionsPerAddress(server, config);
  return server;
}

/**
 * Caps the connections one source address holds open, so one address hoarding sockets (stalled
 * bodies under a low file limit) cannot starve the others. A connection over the cap is closed
 * before a byte is read. Proxies in TRUST_PROXY are exempt: they carry everyone's connections.
 */
export function limitConnectionsPerAddress(server: Server, config: Config): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = resolveSourceIp(socket.remoteAddress ?? '', undefined, []);
    if (config.trustProxy.length > 0 && ipInList(address, config.trustProxy)) return;
    const count = (open.get(address) ?? 0) + 1;
    if (count > config.connections.maxPerAddress) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
