import { createServer, type AddressInfo } from 'node:net';

/**
 * A TCP port free on `host` right now: bound on port 0, read back, released. Someone else may take it before
 * you bind it, so prefer `listen({ port: 0 })` wherever the process binds it itself; this is for a port another
 * program must be told in advance (a proxy's config file, a child's flag).
 * @param host @default '127.0.0.1'
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
