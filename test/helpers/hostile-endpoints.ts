import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** A TCP endpoint that misbehaves; `close()` drops every connection it holds. */
export interface HostileEndpoint {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Connections accepted so far. */
  readonly connections: () => number;
  close(): Promise<void>;
}

async function listen(onConnection: (socket: Socket) => void): Promise<HostileEndpoint> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Accepts TCP connections, reads whatever comes, and never answers. */
export function silentEndpoint(): Promise<HostileEndpoint> {
  return listen((socket) => socket.resume());
}

/**
 * Reads a request's headers, then stops reading: a request with a body fills the socket's
 * buffers and stalls mid-body; one without a body simply never gets an answer.
 */
export function stallingEndpoint(): Promise<HostileEndpoint> {
  return listen((socket) => {
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      if (head.includes('\r\n\r\n')) {
        socket.off('data', onData);
        socket.pause();
      }
    };
    socket.on('data', onData);
  });
}
