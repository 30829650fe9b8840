import { register } from 'discovery-client';
import type { Registration } from 'discovery-client';
import type { Server } from 'node:http';

export interface RegisterInstanceOptions {
  name: string;
  id: string;
  address: string;
  port: number;
  ttl: string;
  deregisterAfter: string;
  /** `VERSION`: tag `v<version>` and meta `version`. */
  version: string;
  /** `COLOR`: tag `color=<c>` and meta `color` (blue/green, see discovery-client's `color: 'active'`). */
  color?: string | undefined;
  /** `DRAIN`: after deregistering, keep serving this long (ms) before closing `server`. */
  drainMs: number;
  /** The instance's HTTP server: `close()` closes it after the drain, once its requests in flight are answered. */
  server: Server;
}

/**
 * Registers this instance in Consul with a TTL check kept passing by a heartbeat (discovery-client's
 * `register()`). When Consul cannot be reached the registration keeps retrying in the background and
 * registers again by itself after Consul lost its state; it rejects only when Consul refuses the
 * definition (HTTP 4xx: bad definition, ACL), which the caller treats as fatal.
 *
 * The registration's `close()` is the graceful stop: it deregisters, keeps serving for `drainMs` while every
 * watcher drops the instance, then closes `server` and resolves once the requests in flight are answered.
 */
export function registerInstance(options: RegisterInstanceOptions): Promise<Registration> {
  return register({
    name: options.name,
    id: options.id,
    address: options.address,
    port: options.port,
    tags: ['reddit', `v${options.version}`, ...(options.color ? [`color=${options.color}`] : [])],
    // pid: how `make roll` / `make scale` retire this instance (SIGTERM) on this host
    meta: { version: options.version, pid: String(process.pid), ...(options.color ? { color: options.color } : {}) },
    ttl: options.ttl,
    deregisterCriticalServiceAfter: options.deregisterAfter,
    drainDelay: options.drainMs,
    server: options.server,
    handleSignals: false,
  });
}
