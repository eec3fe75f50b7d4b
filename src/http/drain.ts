import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface Drain {
  /**
   * Ends every connection on which no request is running or arriving: idle keep-alive connections at once. A
   * connection whose request is on its way (accepted but not read yet, or headers partly read) is left alone while
   * `arrivingMs` have not passed since `since` (the stop signal), then ended too. Answers still being written are
   * flushed first; a connection whose handler runs is left alone.
   */
  closeIdle(since: number, arrivingMs: number, now?: number): void;
}

interface Connection {
  /** Requests that reached the app (Node's 'request' event: headers complete) and have not been answered. */
  handlers: number;
  /** Bytes read from the socket when its last answer was finished; -1 while it has never been answered. */
  readAtLastAnswer: number;
}

/**
 * Tracks, per connection, the requests in progress and whether a new one has begun to arrive, so that a stop ends
 * only the connections where nothing is happening. `server.closeIdleConnections()` alone leaves a connection whose
 * next request is half sent (or that has sent nothing yet) open, and `server.close()` then waits for the grace
 * period though no handler runs; ending those at once instead cuts a request a balancer has just sent (its
 * connection accepted an instant before the stop, its bytes not read yet), and the balancer, which never resends a
 * POST, shows that buyer a 502. Attach right after `listen()`, before connections arrive.
 */
export function trackHandlers(server: Server): Drain {
  const connections = new Map<Socket, Connection>();
  server.on('connection', (socket: Socket) => {
    connections.set(socket, { handlers: 0, readAtLastAnswer: -1 });
    socket.once('close', () => connections.delete(socket));
  });
  server.on('request', (req, res) => {
    const connection = connections.get(req.socket);
    if (!connection) return;
    connection.handlers += 1;
    res.once('close', () => {
      connection.handlers -= 1;
      connection.readAtLastAnswer = req.socket.bytesRead;
    });
  });
  return {
    closeIdle(since, arrivingMs, now = Date.now()) {
      const arrivalOver = now - since >= arrivingMs;
      for (const [socket, { handlers, readAtLastAnswer }] of connections) {
        if (handlers > 0 || socket.destroyed) continue;
        // Never answered (its first request may be in the socket's buffer, unread) or bytes read since its last
        // answer (the next request is coming): its request gets a moment to reach a handler.
        const arriving = readAtLastAnswer < 0 || socket.bytesRead > readAtLastAnswer;
        if (arriving && !arrivalOver) continue;
        // A finished answer may still be in the socket's buffer: end() flushes it, destroy() would cut it.
        if (socket.writableLength > 0) socket.end();
        else socket.destroy();
      }
    },
  };
}
