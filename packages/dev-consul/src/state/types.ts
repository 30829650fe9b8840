/** Health status of a check, as Consul spells it. `maintenance` is only ever an aggregate. */
export type CheckStatus = 'passing' | 'warning' | 'critical';

/** The statuses a check can be set to. */
export const CHECK_STATUSES: readonly CheckStatus[] = ['passing', 'warning', 'critical'];

/** A service address entry in `TaggedAddresses`. */
export interface ServiceAddress {
  Address: string;
  Port: number;
}

/** A service instance on our node (`structs.NodeService`). */
export interface ServiceRecord {
  id: string;
  name: string;
  kind: string;
  tags: string[];
  address: string;
  taggedAddresses: Record<string, ServiceAddress> | undefined;
  /** `null` when registered without Meta: health/catalog answers then carry `"Meta": null`. */
  meta: Record<string, string> | null;
  port: number;
  socketPath: string;
  weights: { Passing: number; Warning: number };
  enableTagOverride: boolean;
  proxy: unknown;
  connect: unknown;
  /** False for the server's own `consul` service: it lives in the catalog, not in the agent's local state. */
  local: boolean;
  createIndex: number;
  modifyIndex: number;
}

/** A health check on our node (`structs.HealthCheck` plus the agent's runtime state). */
export interface CheckRecord {
  checkId: string;
  name: string;
  status: CheckStatus;
  notes: string;
  /** The agent's view of the output (`/v1/agent/checks`). */
  output: string;
  /** The catalog's view: output-only changes reach it late, as Consul defers them. */
  syncedOutput: string;
  serviceId: string;
  serviceName: string;
  /** `ttl`, `http`, `tcp`, `script`, `maintenance`, ... and `""` for serfHealth. */
  type: string;
  intervalNs: number;
  timeoutNs: number;
  ttlNs: number;
  /** The check definition as shown in `Definition` (HTTP, Header, Interval, ...). */
  definition: Record<string, unknown>;
  /** Clamped DeregisterCriticalServiceAfter in nanoseconds; 0 when not set. */
  deregisterCriticalAfterNs: number;
  /** When the check last became critical through a status update (ms epoch), for the reaper. */
  criticalSince: number | undefined;
  /** False for serfHealth, which belongs to the catalog, not to the agent's local checks. */
  local: boolean;
  createIndex: number;
  modifyIndex: number;
}

/** The node this agent runs as. */
export interface NodeRecord {
  id: string;
  name: string;
  address: string;
  datacenter: string;
  meta: Record<string, string>;
  createIndex: number;
  modifyIndex: number;
}
