import type { DiscoveryClient, ServiceOptions } from 'discovery-client';
import { SERVICE_NAMES } from '../shared/config.js';
import type { ServiceName } from '../shared/config.js';
import type { GatewayServiceClient } from './gateway-app.js';

/** Per-attempt timeout of the gateway's calls, ms. */
export const GATEWAY_TIMEOUT_MS = 5000;
/** Retries on another instance for GET, PUT and DELETE (POST and PATCH are never retried). */
export const GATEWAY_RETRY_LIMIT = 2;
/** undici's per-instance pools: about twice got's throughput in discovery-client's benchmark. */
export const GATEWAY_TRANSPORT = 'undici';

/** One discovery-client service client per service, as the gateway uses them. */
export function createGatewayClients(discovery: DiscoveryClient, overrides: ServiceOptions = {}): Record<ServiceName, GatewayServiceClient> {
  const entries = SERVICE_NAMES.map((service) => [
    service,
    discovery.service(service, { timeout: GATEWAY_TIMEOUT_MS, retry: { limit: GATEWAY_RETRY_LIMIT }, transport: GATEWAY_TRANSPORT, ...overrides }) as GatewayServiceClient,
  ]);
  return Object.fromEntries(entries) as Record<ServiceName, GatewayServiceClient>;
}
