/**
 * `startDevConsul()`: wires the agent, the KV store, ACLs, the blocking-query watch set and the HTTP
 * routes into one listening server, and returns a handle whose `close()` leaves nothing running.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { Acl } from './acl.js';
import { Agent } from './agent.js';
import { WatchSet } from './blocking.js';
import { Logger } from './logger.js';
import type { DevConsulOptions } from './options.js';
import { resolveOptions } from './options.js';
import { registerAgentRoutes } from './routes/agent.js';
import { registerCatalogRoutes } from './routes/catalog.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerKvRoutes } from './routes/kv.js';
import { registerStatusRoutes } from './routes/status.js';
import { ApiServer } from './server.js';
import { IndexCounter } from './state/index-counter.js';
import { KvStore } from './state/kv-store.js';

/** A running dev-consul. */
export interface DevConsulHandle {
  /** The address the HTTP API is bound to (also the node's address). */
  readonly address: string;
  /** The port the HTTP API listens on (the real one when `port: 0` was asked). */
  readonly port: number;
  /** Base URL, `http://<address>:<port>`: what `CONSUL_HTTP_ADDR` can be set to. */
  readonly url: string;
  /** The node name. */
  readonly node: string;
  /** Stops listening, ends parked blocking queries, stops every check and timer. Idempotent. */
  close(): Promise<void>;
}

/** The node's address: the bound one, or a LAN address when bound to a wildcard. */
function nodeAddress(host: string): string {
  if (host !== '0.0.0.0' && host !== '::' && host !== '') return host;
  for (const list of Object.values(os.networkInterfaces())) {
    for (const iface of list ?? []) if (iface.family === 'IPv4' && !iface.internal) return iface.address;
  }
  return '127.0.0.1';
}

/**
 * Starts a dev-consul agent.
 *
 * @example
 * const consul = await startDevConsul({ port: 0 });
 * process.env.CONSUL_HTTP_ADDR = consul.url;
 * // ... run code against it ...
 * await consul.close();
 */
export async function startDevConsul(options: DevConsulOptions = {}): Promise<DevConsulHandle> {
  const resolved = resolveOptions(options);
  const logger = new Logger(resolved.logLevel, resolved.logger);
  const address = nodeAddress(resolved.host);
  const counter = new IndexCounter();
  const agent = new Agent({ ...resolved, address, nodeId: randomUUID() }, counter, logger);
  const kv = new KvStore(counter);
  const watches = new WatchSet();
  agent.catalog.onChange(() => watches.notify());
  kv.onChange(() => watches.notify());
  const acl = new Acl(resolved.token);
  const api = new ApiServer(acl, watches, resolved.datacenter, logger);
  registerAgentRoutes(api, agent);
  registerHealthRoutes(api, agent);
  registerCatalogRoutes(api, agent);
  registerStatusRoutes(api, address);
  registerKvRoutes(api, kv);

  const server = api.server;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(resolved.port, resolved.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    agent.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;
  logger.debug(`dev-consul agent ${resolved.node} (dc ${resolved.datacenter}) serving HTTP on http://${hostForUrl}:${port}${resolved.token === undefined ? '' : ' with ACLs (default deny)'}`);

  let closing: Promise<void> | undefined;
  return {
    address: resolved.host,
    port,
    url: `http://${hostForUrl}:${port}`,
    node: resolved.node,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        agent.close();
        watches.closeAll();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
