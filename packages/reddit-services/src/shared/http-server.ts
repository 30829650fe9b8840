import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';
import { answerClientErrorsWithJson } from './http-hygiene.js';

/** A listening HTTP server and how to stop it. */
export interface RunningServer {
  server: Server;
  port: number;
  url: string;
  /** Stops accepting, ends idle keep-alive connections and resolves when every request is done. */
  close(): Promise<void>;
}

/**
 * Listens on `host:port` (0 picks a free port). Requests the HTTP parser refuses get a JSON answer;
 * the Host check is left to the app (`normalizeRequestTarget`), which answers it in JSON too.
 */
export async function listen(handler: RequestListener, port: number, host = '127.0.0.1'): Promise<RunningServer> {
  const server = createServer({ requireHostHeader: false }, handler);
  answerClientErrorsWithJson(server);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    server,
    port: actual,
    url: `http://${host}:${actual}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
