import { createServer, type RequestListener, type Server } from 'node:http';
import { isIPv6, type AddressInfo } from 'node:net';

/** Where {@link listen} binds. */
export interface ListenOptions {
  /** TCP port; 0 lets the OS pick a free one (read it back from `port`). */
  port: number;
  /**
   * Address to listen on, e.g. `'127.0.0.1'`, `'::'`.
   * @default every interface (Node's default: `::` where IPv6 is available, else `0.0.0.0`)
   */
  host?: string | undefined;
}

/** A server bound by {@link listen}. */
export interface ListeningServer {
  readonly server: Server;
  /** The port it got (the one asked for, or the OS's pick for port 0). */
  readonly port: number;
  /** `http://<host>:<port>` (an IPv6 host bracketed; `localhost` when bound to every interface). */
  readonly url: string;
  /** Stops accepting, ends idle keep-alive connections, resolves once every request in flight is answered. */
  close(): Promise<void>;
}

/**
 * Binds an HTTP server to `host:port` and resolves once it listens. `target` is a `node:http` server, or a
 * request listener (an express app, a plain handler) served by a new `http.createServer(target)`. Prints
 * nothing: each process prints its own `listening on port <n>` line with its own logger.
 * @throws the listen error itself (`code` kept: `EADDRINUSE`, `EACCES`...), the server left unbound.
 * @example
 * const { port, close } = await listen(app, { port: Number(process.env.PORT ?? 8001), host: '127.0.0.1' });
 * log.info(`listening on port ${port}`);
 */
export async function listen(target: Server | RequestListener, options: ListenOptions): Promise<ListeningServer> {
  const { port, host } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`Expected \`port\` to be an integer from 0 to 65535, got ${JSON.stringify(port)}`);
  }
  const server = typeof target === 'function' ? createServer(target) : target;
  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error): void => reject(error);
    server.once('error', failed);
    const listening = (): void => {
      server.off('error', failed);
      resolve();
    };
    if (host === undefined) server.listen(port, listening);
    else server.listen(port, host, listening);
  });
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host === undefined || host === '::' || host === '0.0.0.0' ? 'localhost' : host;
  return {
    server,
    port: bound,
    url: `http://${isIPv6(urlHost) ? `[${urlHost}]` : urlHost}:${bound}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
