import { createServer, type RequestListener, type Server } from 'node:http';
import { listen, type ListeningServer } from 'server-ports';
import { answerClientErrorsWithJson } from './http-hygiene.js';

/**
 * The HTTP server every reddit process runs: requests the HTTP parser refuses get a JSON answer; the Host check
 * is left to the app (`normalizeRequestTarget`), which answers it in JSON too; idle keep-alive connections last 5 s.
 */
export function createRedditServer(handler: RequestListener): Server {
  const server = createServer({ requireHostHeader: false }, handler);
  answerClientErrorsWithJson(server);
  server.keepAliveTimeout = 5000;
  return server;
}

/** A reddit server ({@link createRedditServer}) listening on `host:port` (0 picks a free port), through the repository's one `listen()`. */
export function serve(handler: RequestListener, port: number, host = '127.0.0.1'): Promise<ListeningServer> {
  return listen(createRedditServer(handler), { port, host });
}
