/**
 * The local agent: owns the catalog of its node, the runners that drive checks (TTL timers, HTTP/TCP/
 * script probes), maintenance mode, the reaper, and the change log lines. Routes call it after
 * decoding and ACL checks; it throws `HttpError`s with Consul's texts.
 */
import { DEFAULT_CHECK_TIMEOUT_MS, DEFAULT_OUTPUT_MAX_SIZE, truncateOutput } from './checks/check-runner.js';
import type { CheckRunner } from './checks/check-runner.js';
import { HttpCheck } from './checks/http-check.js';
import { ScriptCheck } from './checks/script-check.js';
import { withThresholds } from './checks/status-handler.js';
import { TcpCheck } from './checks/tcp-check.js';
import { TtlCheck } from './checks/ttl-check.js';
import { buildCheck, isValidStatus, validateCheckType } from './definitions/check-type.js';
import type { CheckSpec } from './definitions/check-type.js';
import { buildServiceRegistration } from './definitions/service-definition.js';
import { formatGoDuration } from './duration.js';
import { HttpError, badRequest, internalError, notFound } from './http-error.js';
import type { Decoded } from './json-decode.js';
import type { Logger } from './logger.js';
import type { ResolvedOptions } from './options.js';
import { Reaper, findReapable } from './reaper.js';
import { Catalog } from './state/catalog.js';
import type { IndexCounter } from './state/index-counter.js';
import type { CheckRecord, CheckStatus, ServiceRecord } from './state/types.js';

/** The Consul version dev-consul reports in `/v1/agent/self` and node meta. */
export const CONSUL_VERSION = '1.20.1';
/** Port the `consul` service and `/v1/status/leader` advertise (Consul's server RPC port). */
export const SERVER_PORT = 8300;

export const NODE_MAINTENANCE_ID = '_node_maintenance';
export const SERVICE_MAINTENANCE_PREFIX = '_service_maintenance:';
const DEFAULT_SERVICE_MAINTENANCE_REASON = 'Maintenance mode is enabled for this service, but no reason was provided. This is a default message.';
const DEFAULT_NODE_MAINTENANCE_REASON = 'Maintenance mode is enabled for this node, but no reason was provided. This is a default message.';

/** Check runtime data the agent keeps beside the record. */
interface CheckRuntime {
  runner: CheckRunner | undefined;
  outputMaxSize: number;
  deferredSync: NodeJS.Timeout | undefined;
}

/** What varies between the checks the agent makes itself (serfHealth, maintenance). */
interface AgentCheckFields {
  checkId: string;
  name: string;
  status: CheckStatus;
  type: string;
  local: boolean;
  notes?: string;
  output?: string;
  service?: ServiceRecord;
}

/** A check record made by the agent itself: no runner, no timings, no definition, never reaped. */
function agentCheck(fields: AgentCheckFields): Omit<CheckRecord, 'createIndex' | 'modifyIndex'> {
  const output = fields.output ?? '';
  return {
    checkId: fields.checkId,
    name: fields.name,
    status: fields.status,
    notes: fields.notes ?? '',
    output,
    syncedOutput: output,
    serviceId: fields.service?.id ?? '',
    serviceName: fields.service?.name ?? '',
    type: fields.type,
    intervalNs: 0,
    timeoutNs: 0,
    ttlNs: 0,
    definition: {},
    deregisterCriticalAfterNs: 0,
    criticalSince: undefined,
    local: fields.local,
  };
}

/** Messages of Consul's 404s on unknown IDs. */
export function unknownServiceMessage(id: string): string {
  return `Unknown service ID ${JSON.stringify(id)}. Ensure that the service ID is passed, not the service name.`;
}
export function unknownCheckMessage(id: string): string {
  return `Unknown check ID ${JSON.stringify(id)}. Ensure that the check ID is passed, not the check name.`;
}

export class Agent {
  readonly catalog: Catalog;
  private readonly runtime = new Map<string, CheckRuntime>();
  private readonly reaper: Reaper;
  private closed = false;

  constructor(
    readonly options: ResolvedOptions & { address: string; nodeId: string },
    counter: IndexCounter,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.catalog = new Catalog(counter, {
      id: options.nodeId,
      name: options.node,
      address: options.address,
      datacenter: options.datacenter,
      meta: { 'consul-network-segment': '', 'consul-version': CONSUL_VERSION },
    });
    this.bootstrap();
    this.reaper = new Reaper(options.reapInterval, () => this.reap());
  }

  /** The server's own catalog entries: the `consul` service and the `serfHealth` node check. */
  private bootstrap(): void {
    this.catalog.upsertService(
      {
        id: 'consul',
        name: 'consul',
        kind: '',
        tags: [],
        address: '',
        taggedAddresses: undefined,
        meta: {
          non_voter: 'false',
          raft_version: '3',
          read_replica: 'false',
          serf_protocol_current: '2',
          serf_protocol_max: '5',
          serf_protocol_min: '1',
          version: CONSUL_VERSION,
        },
        port: SERVER_PORT,
        socketPath: '',
        weights: { Passing: 1, Warning: 1 },
        enableTagOverride: false,
        proxy: undefined,
        connect: undefined,
        local: false,
      },
      [],
      false,
    );
    this.catalog.upsertCheck(
      agentCheck({ checkId: 'serfHealth', name: 'Serf Health Status', status: 'passing', output: 'Agent alive and reachable', type: '', local: false }),
    );
  }

  // ---- services -----------------------------------------------------------------------------------

  /** Validates a decoded service definition; returns what would be registered (for ACL checks). */
  prepareService(definition: Decoded): { service: Omit<ServiceRecord, 'createIndex' | 'modifyIndex'>; checks: CheckSpec[] } {
    const registration = buildServiceRegistration(definition);
    const { service } = registration;
    const many = registration.checks.length > 1;
    const checks = registration.checks.map((c, i) => {
      const explicit = typeof c.CheckID === 'string' ? c.CheckID : '';
      const checkId = explicit !== '' ? explicit : many ? `service:${service.id}:${i + 1}` : `service:${service.id}`;
      const name = typeof c.Name === 'string' && c.Name !== '' ? c.Name : `Service '${service.name}' check`;
      return this.buildCheckSpec(c, checkId, name, service.id, service.name);
    });
    return { service, checks };
  }

  /** Registers (or updates) a prepared service and starts its checks. */
  registerService(prepared: { service: Omit<ServiceRecord, 'createIndex' | 'modifyIndex'>; checks: CheckSpec[] }, replaceExistingChecks: boolean): void {
    const { service, checks } = prepared;
    const existing = this.catalog.service(service.id);
    if (existing !== undefined && !existing.local) throw badRequest(`Validation failed: service ID ${JSON.stringify(service.id)} is reserved`);
    // Checks whose ID exists elsewhere (another service or a node check) are moved.
    for (const spec of checks) {
      const other = this.catalog.check(spec.record.checkId);
      if (other !== undefined && other.serviceId !== service.id) this.removeCheck(other.checkId);
    }
    const { removedChecks } = this.catalog.upsertService(service, checks.map((c) => c.record), replaceExistingChecks);
    for (const removed of removedChecks) this.stopRuntime(removed.checkId);
    for (const spec of checks) this.startRuntime(spec);
    const at = `${service.address === '' ? this.options.address : service.address}:${service.port}`;
    if (existing === undefined) this.logger.info(`service registered: ${service.id} (${service.name}) at ${at}`);
    else this.logger.debug(`service re-registered: ${service.id} (${service.name}) at ${at}`);
  }

  /** @throws HttpError 404 for an unknown ID. */
  deregisterService(id: string, reason = 'deregistered'): void {
    const service = this.catalog.service(id);
    if (service === undefined || !service.local) throw notFound(unknownServiceMessage(id));
    const removed = this.catalog.removeService(id);
    for (const c of removed?.checks ?? []) this.stopRuntime(c.checkId);
    this.logger.info(`service ${reason}: ${id} (${service.name})`);
  }

  /** A local service by ID (the server's `consul` service is not local). */
  localService(id: string): ServiceRecord | undefined {
    const s = this.catalog.service(id);
    return s?.local === true ? s : undefined;
  }

  /** Local services (what `/v1/agent/services` lists). */
  localServices(): ServiceRecord[] {
    return this.catalog.allServices().filter((s) => s.local);
  }

  /** Local checks (what `/v1/agent/checks` lists: no serfHealth). */
  localChecks(): CheckRecord[] {
    return this.catalog.allChecks().filter((c) => c.local);
  }

  // ---- checks -------------------------------------------------------------------------------------

  /**
   * Validates a decoded `CheckDefinition` (`/v1/agent/check/register`).
   * @throws HttpError 400 / 404 with Consul's texts.
   */
  prepareCheck(d: Decoded): CheckSpec {
    const name = typeof d.Name === 'string' ? d.Name : '';
    if (name === '') throw badRequest('Missing check name');
    const status = typeof d.Status === 'string' ? d.Status : '';
    if (status !== '' && !isValidStatus(status)) throw badRequest('Bad check status');
    const reason = validateCheckType(d);
    if (reason !== undefined) throw badRequest(`Invalid check: ${reason}`);
    const serviceId = typeof d.ServiceID === 'string' ? d.ServiceID : '';
    let serviceName = '';
    if (serviceId !== '') {
      const service = this.localService(serviceId);
      if (service === undefined) throw notFound(`ServiceID ${JSON.stringify(serviceId)} does not exist`);
      serviceName = service.name;
    }
    const id = typeof d.ID === 'string' && d.ID !== '' ? d.ID : name;
    return this.buildCheckSpec(d, id, name, serviceId, serviceName);
  }

  /** Registers a prepared check and starts its runner. */
  registerCheck(spec: CheckSpec): void {
    const existing = this.catalog.check(spec.record.checkId);
    if (existing !== undefined && !existing.local) throw badRequest(`Validation failed: check ID ${JSON.stringify(spec.record.checkId)} is reserved`);
    this.catalog.upsertCheck(spec.record);
    this.startRuntime(spec);
    if (existing === undefined) this.logger.info(`check registered: ${spec.record.checkId} (${spec.record.type || 'no type'})`);
  }

  /** @throws HttpError 404 for an unknown ID. */
  deregisterCheck(id: string): void {
    const check = this.catalog.check(id);
    if (check === undefined || !check.local) throw notFound(unknownCheckMessage(id));
    this.removeCheck(id);
    this.logger.info(`check deregistered: ${id}`);
  }

  /** A local check by ID. */
  localCheck(id: string): CheckRecord | undefined {
    const c = this.catalog.check(id);
    return c?.local === true ? c : undefined;
  }

  /**
   * pass/warn/fail/update on a TTL check: sets status and output and restarts the TTL clock.
   * @throws HttpError 404 unknown ID, 500 not a TTL check.
   */
  updateTtl(id: string, status: CheckStatus, output: string): void {
    const check = this.localCheck(id);
    if (check === undefined) throw notFound(unknownCheckMessage(id));
    const runtime = this.runtime.get(id);
    if (!(runtime?.runner instanceof TtlCheck)) throw internalError(`CheckID ${JSON.stringify(id)} does not have associated TTL`);
    runtime.runner.reset();
    this.applyResult(id, status, truncateOutput(output, runtime.outputMaxSize));
  }

  // ---- maintenance --------------------------------------------------------------------------------

  /** @throws HttpError 404 for an unknown service. */
  setServiceMaintenance(serviceId: string, enable: boolean, reason: string): void {
    const service = this.localService(serviceId);
    if (service === undefined) throw notFound(unknownServiceMessage(serviceId));
    const checkId = `${SERVICE_MAINTENANCE_PREFIX}${serviceId}`;
    if (enable) {
      if (this.catalog.check(checkId) !== undefined) return;
      this.catalog.upsertCheck(this.maintenanceCheck(checkId, 'Service Maintenance Mode', reason || DEFAULT_SERVICE_MAINTENANCE_REASON, service));
      this.logger.info(`service maintenance enabled: ${serviceId}${reason ? ` (${reason})` : ''}`);
    } else if (this.catalog.removeCheck(checkId) !== undefined) {
      this.logger.info(`service maintenance disabled: ${serviceId}`);
    }
  }

  setNodeMaintenance(enable: boolean, reason: string): void {
    if (enable) {
      if (this.catalog.check(NODE_MAINTENANCE_ID) !== undefined) return;
      this.catalog.upsertCheck(this.maintenanceCheck(NODE_MAINTENANCE_ID, 'Node Maintenance Mode', reason || DEFAULT_NODE_MAINTENANCE_REASON, undefined));
      this.logger.info(`node maintenance enabled${reason ? ` (${reason})` : ''}`);
    } else if (this.catalog.removeCheck(NODE_MAINTENANCE_ID) !== undefined) {
      this.logger.info('node maintenance disabled');
    }
  }

  /** Stops every runner and timer. */
  close(): void {
    this.closed = true;
    this.reaper.stop();
    for (const id of [...this.runtime.keys()]) this.stopRuntime(id);
  }

  // ---- internals ----------------------------------------------------------------------------------

  private maintenanceCheck(checkId: string, name: string, notes: string, service: ServiceRecord | undefined): Omit<CheckRecord, 'createIndex' | 'modifyIndex'> {
    return agentCheck({ checkId, name, status: 'critical', notes, service, type: 'maintenance', local: true });
  }

  private buildCheckSpec(d: Decoded, checkId: string, name: string, serviceId: string, serviceName: string): CheckSpec {
    const spec = buildCheck(d, {
      checkId,
      name,
      serviceId,
      serviceName,
      minIntervalMs: this.options.minCheckInterval,
      defaultTimeoutMs: DEFAULT_CHECK_TIMEOUT_MS,
      defaultOutputMaxSize: DEFAULT_OUTPUT_MAX_SIZE,
    });
    if (spec.runner.kind === 'script' && !this.options.enableScriptChecks) {
      throw new HttpError(500, "Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true");
    }
    const interval = typeof d.Interval === 'number' ? d.Interval / 1e6 : 0;
    if (interval > 0 && interval < this.options.minCheckInterval && spec.runner.kind !== 'ttl') {
      this.logger.warn(`check ${checkId} has interval below minimum of ${formatGoDuration(this.options.minCheckInterval * 1e6)}`);
    }
    const minimumNs = this.options.deregisterCriticalMinimum * 1e6;
    if (serviceId === '') spec.record.deregisterCriticalAfterNs = 0;
    else if (spec.record.deregisterCriticalAfterNs > 0 && spec.record.deregisterCriticalAfterNs < minimumNs) {
      this.logger.warn(
        `check ${checkId} has deregister interval below minimum of ${formatGoDuration(minimumNs)}`,
      );
      spec.record.deregisterCriticalAfterNs = minimumNs;
    }
    return spec;
  }

  private startRuntime(spec: CheckSpec): void {
    this.stopRuntime(spec.record.checkId);
    const id = spec.record.checkId;
    const direct = (status: CheckStatus, output: string): void => this.applyResult(id, status, output);
    const report = withThresholds(direct, spec.thresholds);
    let runner: CheckRunner | undefined;
    const r = spec.runner;
    if (r.kind === 'ttl') runner = new TtlCheck(r.ttlMs, () => this.catalog.check(id)?.output ?? '', direct);
    else if (r.kind === 'http') runner = new HttpCheck({ ...r, outputMaxSize: spec.outputMaxSize }, report);
    else if (r.kind === 'tcp') runner = new TcpCheck(r.address, r.intervalMs, r.timeoutMs, report);
    else if (r.kind === 'script') runner = new ScriptCheck(r.args, r.intervalMs, r.timeoutMs, spec.outputMaxSize, report);
    this.runtime.set(id, { runner, outputMaxSize: spec.outputMaxSize, deferredSync: undefined });
  }

  private stopRuntime(checkId: string): void {
    const runtime = this.runtime.get(checkId);
    if (runtime === undefined) return;
    runtime.runner?.stop();
    if (runtime.deferredSync !== undefined) clearTimeout(runtime.deferredSync);
    this.runtime.delete(checkId);
  }

  private removeCheck(checkId: string): void {
    this.stopRuntime(checkId);
    this.catalog.removeCheck(checkId);
  }

  /** Applies a check result; logs transitions and defers output-only changes like Consul. */
  private applyResult(checkId: string, status: CheckStatus, output: string): void {
    if (this.closed) return;
    const before = this.catalog.check(checkId);
    if (before === undefined) return;
    const previous = before.status;
    const outcome = this.catalog.updateCheck(checkId, status, output, this.now());
    const runtime = this.runtime.get(checkId);
    if (outcome === 'status') {
      if (runtime?.deferredSync !== undefined) {
        clearTimeout(runtime.deferredSync);
        runtime.deferredSync = undefined;
      }
      this.logger.info(`check ${checkId} ${previous} -> ${status}${output === '' ? '' : `: ${output}`}`);
    } else if (outcome === 'output-only' && runtime !== undefined && runtime.deferredSync === undefined) {
      const base = this.options.checkUpdateInterval;
      const delay = base / 2 + Math.random() * base;
      runtime.deferredSync = setTimeout(() => {
        runtime.deferredSync = undefined;
        this.catalog.syncOutput(checkId);
      }, delay);
      runtime.deferredSync.unref();
    }
  }

  private reap(): void {
    for (const candidate of findReapable(this.catalog, this.now())) {
      const service = this.catalog.service(candidate.serviceId);
      if (service === undefined) continue;
      const removed = this.catalog.removeService(candidate.serviceId);
      for (const c of removed?.checks ?? []) this.stopRuntime(c.checkId);
      this.logger.info(
        `service reaped: ${service.id} (${service.name}), check ${candidate.checkId} critical for ${formatGoDuration(Math.round(candidate.criticalForMs) * 1e6)}`,
      );
    }
  }
}
