import type { Endpoint } from '../../src/endpoint/endpoint.js';
import { EndpointPool } from '../../src/endpoint/endpoint-pool.js';
import { DATAWIRE_BREAKER_PRESET } from '../../src/breaker/presets.js';
import type { ServiceInstance } from '../../src/instance.js';

export function instance(n: number, service = 'ratings'): ServiceInstance {
  return {
    key: `node/${service}-${n}`,
    id: `${service}-${n}`,
    service,
    address: '127.0.0.1',
    port: 8000 + n,
    url: `http://127.0.0.1:${8000 + n}`,
    tags: [],
    meta: {},
  };
}

/** A pool with quiet listeners and `count` tracked instances. */
export function trackedList(count: number): { pool: EndpointPool; tracked: Endpoint[] } {
  const pool = new EndpointPool({
    service: 'ratings',
    settings: DATAWIRE_BREAKER_PRESET,
    retainMs: 60_000,
    listener: { onOpen: () => undefined, onHalfOpen: () => undefined, onClose: () => undefined },
  });
  const tracked = pool.sync(Array.from({ length: count }, (_, i) => instance(i + 1)));
  return { pool, tracked };
}
