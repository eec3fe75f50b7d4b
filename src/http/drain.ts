import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface Drain {
  /**
   * Ends every connection on which no request handler is running: idle keep-alive connections, and those whose
   * request has not reached a handler yet (nothing sent, or headers half sent). Answers still being written are
   * flushed first; a connection whose handler runs is left alone.
   */
  closeIdle(): void;
}

/**
 * Counts, per connection, the requests that reached the app (Node's 'request' event: headers complete) and have not
 * been answered. `server.closeIdleConnections()` alone leaves a connection whose next request is half sent (or that
 * has sent nothing yet) open, and `server.close()` then waits for the grace period though no handler runs. Attach
 * right after `listen()`, before connections arrive.
 */
export function trackHandlers(server: Server): Drain {
  const busy = new Map<Socket, number>();
  server.on('connection', (socket: Socket) => {
    busy.set(socket, 0);
    socket.once('close', () => busy.delete(socket));
  });
  server.on('request', (req, res) => {
    const socket = req.socket;
    busy.set(socket, (busy.get(socket) ?? 0) + 1);
    res.once('close', () => {
      if (busy.has(socket)) busy.set(socket, (busy.get(socket) ?? 1) - 1);
    });
  });
  return {
    closeIdle() {
      for (const [socket, handlers] of busy) {
        if (handlers > 0 || socket.destroyed) continue;
        // A finished answer may still be in the socket's buffer: end() flushes it, destroy() would cut it.
        if (socket.writableLength > 0) socket.end();
        else socket.destroy();
      }
    },
  };
}
