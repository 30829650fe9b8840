import { DEFAULT_DEADLINE_MS } from 'discovery-client';
import type { DiscoveryClient, ServiceOptions } from 'discovery-client';
import { SERVICE_NAMES } from '../shared/config.js';
import type { ServiceName } from '../shared/config.js';
import type { GatewayServiceClient } from './gateway-app.js';
import { withinDeadline } from '../shared/deadline.js';

/** Per-attempt timeout of the gateway's calls, ms. */
export const GATEWAY_TIMEOUT_MS = 5000;
/** Retries on another instance for GET, PUT and DELETE (POST and PATCH are never retried). */
export const GATEWAY_RETRY_LIMIT = 2;
/** undici's per-instance pools: about twice got's throughput in discovery-client's benchmark. */
export const GATEWAY_TRANSPORT = 'undici';

/** Longest a relayed call takes, retries included, ms; less when the gateway's caller has less left (`x-request-timeout-ms`). */
export const GATEWAY_DEADLINE_MS = DEFAULT_DEADLINE_MS;

/**
 * The gateway's adaptive concurrency per instance: the library's limit, but a call may wait for a free slot
 * until its deadline (the library's default sheds after 50 ms once a queue stands, 10 ms once it overflows). The gateway bounds what it
 * accepts itself (`maxInFlight`, a 503 beyond), so its callers form a closed loop: a queue that stands there
 * is its users waiting their turn (the instances' limit keeps them from piling onto a contended database), not
 * an overload to shed.
 */
export const GATEWAY_CONCURRENCY_LIMIT = { queueIntervalMs: GATEWAY_DEADLINE_MS, queueTargetMs: GATEWAY_DEADLINE_MS, overflowTargetMs: GATEWAY_DEADLINE_MS } as const;

/**
 * One discovery-client service client per service, as the gateway uses them. A call's `deadline` (what the
 * gateway's caller has left) shortens it, never lengthens it past the service's own deadline.
 */
export function createGatewayClients(discovery: DiscoveryClient, overrides: ServiceOptions = {}): Record<ServiceName, GatewayServiceClient> {
  const entries = SERVICE_NAMES.map((service): [ServiceName, GatewayServiceClient] => {
    const options: ServiceOptions = { timeout: GATEWAY_TIMEOUT_MS, deadline: GATEWAY_DEADLINE_MS, retry: { limit: GATEWAY_RETRY_LIMIT }, transport: GATEWAY_TRANSPORT, concurrencyLimit: GATEWAY_CONCURRENCY_LIMIT, ...overrides };
    const calls = discovery.service(service, options);
    const ownMs = calls.options.deadline;
    return [service, { request: (call) => calls.request({ ...call, deadline: withinDeadline(call.deadline, ownMs) }) }];
  });
  return Object.fromEntries(entries) as Record<ServiceName, GatewayServiceClient>;
}
