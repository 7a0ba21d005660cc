import { Server as NetServer, type Socket } from 'node:net';
import type { Server } from 'node:http';

/** How long a stopping server still accepts connections (while not ready) before it closes its listener. */
const ACCEPT_WINDOW_MS = 1000;

interface Tracked {
  inFlight: number;
  served: number;
  openedAt: number;
}

export interface Drainer {
  /** True once draining started: replies should carry `Connection: close`. */
  readonly draining: boolean;
  /**
   * Stops accepting, lets every accepted request finish, then resolves (or at the deadline,
   * cutting what is left). A connection that has not sent its request yet gets `freshGraceMs`
   * to do so: Node's own close() would count it idle and reset it, losing the request.
   */
  drain(deadlineMs: number, freshGraceMs?: number, acceptMs?: number): Promise<void>;
}

/** Tracks the server's sockets so a shutdown can tell in-flight, fresh and idle ones apart. */
export function trackConnections(server: Server): Drainer {
  const sockets = new Map<Socket, Tracked>();
  let draining = false;
  server.on('connection', (socket: Socket) => {
    sockets.set(socket, { inFlight: 0, served: 0, openedAt: Date.now() });
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('request', (req, res) => {
    const t = sockets.get(req.socket);
    if (!t) return;
    t.inFlight++;
    res.once('close', () => {
      t.inFlight--;
      t.served++;
      if (draining && t.inFlight === 0) req.socket.end();
    });
  });

  return {
    get draining() {
      return draining;
    },
    async drain(deadlineMs, freshGraceMs = 1000, acceptMs = ACCEPT_WINDOW_MS) {
      draining = true;
      // Keep accepting a moment while /readyz already answers 503: closing the listener resets
      // connections still waiting in the kernel's backlog, which a busy process has not taken.
      await new Promise((r) => setTimeout(r, acceptMs).unref());
      // net.Server's close: stop listening, leave accepted sockets alone.
      NetServer.prototype.close.call(server);
      const started = Date.now();
      return new Promise((resolve) => {
        const tick = () => {
          const now = Date.now();
          for (const [socket, t] of sockets) {
            if (t.inFlight > 0) continue;
            // Idle after serving (kept alive), or fresh and silent past its grace: close.
            if (t.served > 0 || now - Math.max(t.openedAt, started) > freshGraceMs) socket.end();
          }
          if (sockets.size === 0) return resolve();
          if (now - started > deadlineMs) {
            for (const socket of sockets.keys()) socket.destroy();
            return resolve();
          }
          setTimeout(tick, 25).unref();
        };
        tick();
      });
    },
  };
}
