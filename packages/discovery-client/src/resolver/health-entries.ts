import { RegistryUnavailableError } from '../errors/registry-unavailable-error.js';
import { formatUrl, type ServiceInstance } from '../instance.js';
import { instanceScheme } from './resolver.js';

/** A Consul check status, from best to worst: `passing`, `warning`, `critical`. */
export type HealthStatus = 'passing' | 'warning' | 'critical';

/** Shape of one `/v1/health/service/:name` entry (the fields read here). */
interface HealthEntry {
  Node?: { Node?: string; Address?: string } | null;
  Service?: {
    ID?: string;
    Service?: string;
    Address?: string;
    Port?: number;
    Tags?: string[] | null;
    Meta?: Record<string, string> | null;
  } | null;
  Checks?: Array<{ Status?: string }> | null;
}

const STATUS_ORDER: readonly HealthStatus[] = ['passing', 'warning', 'critical'];

/**
 * One health entry as an instance: `Service.Address`, or `Node.Address` when it is empty (IPv6 literals bracketed
 * in the URL); the scheme from meta `scheme` or tag `scheme=https` ({@link instanceScheme}). `undefined` for an
 * entry without a port or an address.
 */
export function parseHealthEntry(service: string, entry: unknown): ServiceInstance | undefined {
  const svc = (entry as HealthEntry | null)?.Service;
  if (!svc || typeof svc.Port !== 'number') return undefined;
  const node = (entry as HealthEntry).Node;
  const address = svc.Address || node?.Address;
  if (!address) return undefined;
  const id = svc.ID || svc.Service || service;
  const tags = svc.Tags ?? [];
  const meta = svc.Meta ?? {};
  return {
    key: node?.Node ? `${node.Node}/${id}` : id,
    id,
    service,
    address,
    port: svc.Port,
    url: formatUrl(address, svc.Port, instanceScheme({ tags, meta })),
    tags,
    meta,
    node: node?.Node,
  };
}

/** The worst status among an entry's checks (node checks included, as Consul's `?passing` reads them); `passing` when it has none. */
export function healthStatus(entry: unknown): HealthStatus {
  const checks = (entry as HealthEntry | null)?.Checks ?? [];
  let worst = 0;
  for (const check of checks) {
    const rank = STATUS_ORDER.indexOf(check?.Status as HealthStatus);
    worst = Math.max(worst, rank < 0 ? 2 : rank);
  }
  return STATUS_ORDER[worst]!;
}

/** Instances in a stable order: by ID (numeric parts as numbers: `ratings-2` before `ratings-10`), then key. */
export function compareInstances(a: ServiceInstance, b: ServiceInstance): number {
  return a.id.localeCompare(b.id, 'en', { numeric: true }) || a.key.localeCompare(b.key);
}

/**
 * Parses a `/v1/health/service/:name` answer into instances ({@link parseHealthEntry}), sorted
 * ({@link compareInstances}); entries without a port or an address are left out.
 * @throws RegistryUnavailableError when the answer is not an array.
 */
export function parseHealthEntries(service: string, entries: unknown): ServiceInstance[] {
  if (!Array.isArray(entries)) throw new RegistryUnavailableError('consul answered a non-array to a health query');
  const instances: ServiceInstance[] = [];
  for (const entry of entries) {
    const instance = parseHealthEntry(service, entry);
    if (instance) instances.push(instance);
  }
  return instances.sort(compareInstances);
}
