import { register } from 'discovery-client';
import type { Registration } from 'discovery-client';

export interface RegisterInstanceOptions {
  name: string;
  id: string;
  address: string;
  port: number;
  ttl: string;
  deregisterAfter: string;
}

/**
 * Registers this instance in Consul with a TTL check kept passing by a heartbeat (discovery-client's
 * `register()`). When Consul cannot be reached the registration keeps retrying in the background and
 * registers again by itself after Consul lost its state; it rejects only when Consul refuses the
 * definition (HTTP 4xx: bad definition, ACL), which the caller treats as fatal.
 */
export function registerInstance(options: RegisterInstanceOptions): Promise<Registration> {
  return register({
    name: options.name,
    id: options.id,
    address: options.address,
    port: options.port,
    tags: ['reddit'],
    meta: { version: '0.1.0' },
    ttl: options.ttl,
    deregisterCriticalServiceAfter: options.deregisterAfter,
    handleSignals: false,
  });
}
