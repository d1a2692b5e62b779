// Backends that fail in the ways real ones do, for the shutdown and exit tests.
import { createServer, type Server, type Socket } from 'node:net';

export interface HangingBackend {
  url: string;
  /** Resolves once a request whose first bytes contain `text` (e.g. a path) has arrived. */
  received(text: string): Promise<void>;
  close(): Promise<void>;
}

/** Accepts connections, reads the requests, and never answers: the worst backend there is. */
export async function hangingBackend(): Promise<HangingBackend> {
  const sockets = new Set<Socket>();
  let seen = '';
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.setEncoding('latin1').on('data', (chunk: string) => {
      // Only the heads matter, and a long run must not grow this without bound.
      seen = (seen + chunk.slice(0, 512)).slice(-8192);
      for (const waiter of waiters.splice(0)) {
        if (seen.includes(waiter.text)) waiter.resolve();
        else waiters.push(waiter);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    received: (text) =>
      seen.includes(text) ? Promise.resolve() : new Promise((resolve) => waiters.push({ text, resolve })),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A URL nothing listens on (a port that was just free). */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
