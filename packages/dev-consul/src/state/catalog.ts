/**
 * The catalog of our single node: services, checks, the node itself, and the indexes blocking queries
 * compare against. Mirrors the parts of Consul's state store that matter here:
 * - one shared raft-like index, moved only by writes that change something (idempotent writes are no-ops);
 * - table indexes (`nodes`, `services`, `checks`);
 * - a per-service-name index (`maxIndexForService`), also moved by node-level check changes, so churn in
 *   other services does not wake a watcher; a vanished service keeps answering with the "extinction" index.
 */
import type { IndexCounter } from './index-counter.js';
import type { CheckRecord, CheckStatus, NodeRecord, ServiceRecord } from './types.js';

/** Tables whose index `/v1/catalog/*` and `/v1/health/*` report. */
export type TableName = 'nodes' | 'services' | 'checks';
/** Which tables a missing service's index falls back to: Consul counts checks for health reads only. */
export type ServiceIndexTables = 'health' | 'catalog';

/** A change notification: which service names and tables moved, at which index. */
export interface CatalogChange {
  index: number;
  serviceNames: ReadonlySet<string>;
  tables: ReadonlySet<TableName>;
}

/** Outcome of a status/output update on a check. */
export type CheckUpdateOutcome = 'unchanged' | 'output-only' | 'status';

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Fields that define a service; comparing them decides whether a re-registration is a change. */
function serviceShape(s: ServiceRecord): unknown {
  return [s.name, s.kind, s.tags, s.address, s.taggedAddresses, s.meta, s.port, s.socketPath, s.weights, s.enableTagOverride, s.proxy, s.connect];
}

/** Fields of a check that the catalog sees (status/output excluded, they are handled by updates). */
function checkShape(c: CheckRecord): unknown {
  return [c.name, c.notes, c.serviceId, c.serviceName, c.type, c.intervalNs, c.timeoutNs, c.definition];
}

export class Catalog {
  readonly node: NodeRecord;
  private readonly services = new Map<string, ServiceRecord>();
  /** Service name -> instance IDs, so per-name queries do not scan every instance. */
  private readonly byName = new Map<string, Set<string>>();
  private readonly checks = new Map<string, CheckRecord>();
  /** Service ID ("" for node checks) -> check IDs. */
  private readonly checksByService = new Map<string, Set<string>>();
  private readonly serviceIndex = new Map<string, number>();
  private readonly tableIndex: Record<TableName, number>;
  private extinctionIndex = 0;
  private readonly listeners = new Set<(change: CatalogChange) => void>();

  constructor(
    private readonly counter: IndexCounter,
    node: Omit<NodeRecord, 'createIndex' | 'modifyIndex'>,
  ) {
    const index = counter.next();
    this.node = { ...node, createIndex: index, modifyIndex: index };
    this.tableIndex = { nodes: index, services: index, checks: index };
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  onChange(listener: (change: CatalogChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- reads ------------------------------------------------------------------------------------

  get currentIndex(): number {
    return this.counter.current;
  }

  table(name: TableName): number {
    return this.tableIndex[name];
  }

  /**
   * Consul's `maxIndexForService`: the index a health or catalog query on `name` reports. A name with
   * instances has its own index. A missing name answers the last extinction (the index at which the
   * last instance of any service went away), so registrations, check changes and KV writes elsewhere
   * neither move it nor wake its watchers; it moves when another service dies out or this one appears.
   * Before any extinction Consul falls back to the catalog's table indexes: nodes and services, plus
   * checks for health reads (`catalogMaxIndex(..., checks)`), and so does this.
   */
  indexForService(name: string, tables: ServiceIndexTables = 'health'): number {
    const own = this.serviceIndex.get(name);
    if (own !== undefined) return own;
    if (this.extinctionIndex > 0) return this.extinctionIndex;
    const catalogIndex = Math.max(this.tableIndex.nodes, this.tableIndex.services);
    return tables === 'health' ? Math.max(catalogIndex, this.tableIndex.checks) : catalogIndex;
  }

  /**
   * For a blocking read of one service name: a gate that holds once the name's instances were
   * written since now. Consul watches a missing name's (empty) instance list, so a query parked on it
   * wakes when the name appears, not when the fallback or extinction index moves elsewhere; a name
   * with instances is watched through its own index, so its gate always holds.
   */
  serviceTouchedGate(name: string): () => boolean {
    if (this.byName.has(name)) return () => true;
    return () => this.byName.has(name);
  }

  allServices(): ServiceRecord[] {
    return [...this.services.values()];
  }

  service(id: string): ServiceRecord | undefined {
    return this.services.get(id);
  }

  instancesOf(name: string): ServiceRecord[] {
    const ids = this.byName.get(name);
    if (ids === undefined) return [];
    const out: ServiceRecord[] = [];
    for (const id of ids) {
      const s = this.services.get(id);
      if (s !== undefined) out.push(s);
    }
    return out;
  }

  /** Names of every registered service. */
  serviceNames(): string[] {
    return [...this.byName.keys()];
  }

  allChecks(): CheckRecord[] {
    return [...this.checks.values()];
  }

  check(id: string): CheckRecord | undefined {
    return this.checks.get(id);
  }

  nodeChecks(): CheckRecord[] {
    return this.checksOfService('');
  }

  checksOfService(serviceId: string): CheckRecord[] {
    const ids = this.checksByService.get(serviceId);
    if (ids === undefined) return [];
    const out: CheckRecord[] = [];
    for (const id of ids) {
      const c = this.checks.get(id);
      if (c !== undefined) out.push(c);
    }
    return out;
  }

  // ---- writes -----------------------------------------------------------------------------------

  /**
   * Registers or updates a service and the given checks in one write. Existing checks keep their
   * status and output. With `replaceExistingChecks`, the service's checks not listed are removed.
   * Returns the index of the write, or 0 when nothing changed.
   */
  upsertService(
    service: Omit<ServiceRecord, 'createIndex' | 'modifyIndex'>,
    checks: Array<Omit<CheckRecord, 'createIndex' | 'modifyIndex'>>,
    replaceExistingChecks: boolean,
  ): { index: number; removedChecks: CheckRecord[] } {
    const names = new Set<string>([service.name]);
    const tables = new Set<TableName>();
    const pending: Array<() => void> = [];
    const existing = this.services.get(service.id);
    if (existing !== undefined) names.add(existing.name);
    const record: ServiceRecord = { ...service, createIndex: existing?.createIndex ?? 0, modifyIndex: existing?.modifyIndex ?? 0 };
    if (existing === undefined || !sameJson(serviceShape(existing), serviceShape(record))) {
      tables.add('services');
      pending.push(() => {
        const index = this.counter.current;
        if (existing === undefined) record.createIndex = index;
        record.modifyIndex = index;
        this.putService(record);
      });
    }
    for (const input of checks) this.stageCheck(input, tables, pending);
    const removedChecks: CheckRecord[] = [];
    if (replaceExistingChecks) {
      const keep = new Set(checks.map((c) => c.checkId));
      for (const c of this.checksOfService(service.id)) {
        if (!keep.has(c.checkId) && !c.checkId.startsWith('_service_maintenance:')) {
          removedChecks.push(c);
          tables.add('checks');
          pending.push(() => this.deleteCheck(c));
        }
      }
    }
    if (existing !== undefined && existing.name !== service.name) {
      // Renamed: the service's checks now belong to the new name.
      for (const c of this.checksOfService(service.id)) {
        if (c.serviceName !== service.name) {
          tables.add('checks');
          pending.push(() => {
            c.serviceName = service.name;
            c.modifyIndex = this.counter.current;
          });
        }
      }
    }
    if (pending.length === 0) return { index: 0, removedChecks };
    const index = this.counter.next();
    for (const apply of pending) apply();
    if (existing !== undefined && existing.name !== service.name) this.noteMaybeExtinct(existing.name, index);
    this.commit(index, names, tables);
    return { index, removedChecks };
  }

  /** Removes a service and its checks. Returns the removed records, or undefined if unknown. */
  removeService(id: string): { service: ServiceRecord; checks: CheckRecord[] } | undefined {
    const service = this.services.get(id);
    if (service === undefined) return undefined;
    const index = this.counter.next();
    this.deleteService(service);
    const removed = this.checksOfService(id);
    for (const c of removed) this.deleteCheck(c);
    const tables = new Set<TableName>(['services']);
    if (removed.length > 0) tables.add('checks');
    const names = new Set([service.name]);
    this.noteMaybeExtinct(service.name, index);
    this.commit(index, names, tables);
    return { service, checks: removed };
  }

  /** Adds or redefines one check (status/output of an existing check are kept). Returns 0 if unchanged. */
  upsertCheck(input: Omit<CheckRecord, 'createIndex' | 'modifyIndex'>): number {
    const tables = new Set<TableName>();
    const pending: Array<() => void> = [];
    this.stageCheck(input, tables, pending);
    if (pending.length === 0) return 0;
    const index = this.counter.next();
    for (const apply of pending) apply();
    this.commit(index, this.namesAffectedBy(input.serviceName), tables);
    return index;
  }

  /** Removes one check. Returns it, or undefined if unknown. */
  removeCheck(id: string): CheckRecord | undefined {
    const check = this.checks.get(id);
    if (check === undefined) return undefined;
    const index = this.counter.next();
    this.deleteCheck(check);
    this.commit(index, this.namesAffectedBy(check.serviceName), new Set<TableName>(['checks']));
    return check;
  }

  /**
   * Sets a check's status and output. Identical updates are no-ops; an output-only change updates the
   * agent view at once and reaches the catalog only through {@link syncOutput} (Consul defers it).
   */
  updateCheck(id: string, status: CheckStatus, output: string, now: number): CheckUpdateOutcome {
    const check = this.checks.get(id);
    if (check === undefined) return 'unchanged';
    // Critical-time tracking happens even for idempotent updates (local/state.go UpdateCheck).
    if (status === 'critical') check.criticalSince ??= now;
    else check.criticalSince = undefined;
    if (check.status === status) {
      if (check.output === output) return 'unchanged';
      check.output = output;
      return check.syncedOutput === output ? 'unchanged' : 'output-only';
    }
    const index = this.counter.next();
    check.status = status;
    check.output = output;
    check.syncedOutput = output;
    check.modifyIndex = index;
    this.commit(index, this.namesAffectedBy(check.serviceName), new Set<TableName>(['checks']));
    return 'status';
  }

  /** Pushes a deferred output-only change into the catalog view. */
  syncOutput(id: string): void {
    const check = this.checks.get(id);
    if (check === undefined || check.syncedOutput === check.output) return;
    const index = this.counter.next();
    check.syncedOutput = check.output;
    check.modifyIndex = index;
    this.commit(index, this.namesAffectedBy(check.serviceName), new Set<TableName>(['checks']));
  }

  // ---- internals --------------------------------------------------------------------------------

  private stageCheck(input: Omit<CheckRecord, 'createIndex' | 'modifyIndex'>, tables: Set<TableName>, pending: Array<() => void>): void {
    const existing = this.checks.get(input.checkId);
    const record: CheckRecord = { ...input, createIndex: 0, modifyIndex: 0 };
    if (existing !== undefined) {
      // Re-registration keeps the running state (Consul snapshots and restores status/output).
      record.status = existing.status;
      record.output = existing.output;
      record.syncedOutput = existing.syncedOutput;
      record.criticalSince = existing.criticalSince;
      record.createIndex = existing.createIndex;
      record.modifyIndex = existing.modifyIndex;
      if (sameJson(checkShape(existing), checkShape(record)) && existing.deregisterCriticalAfterNs === record.deregisterCriticalAfterNs && existing.ttlNs === record.ttlNs) {
        return;
      }
    }
    tables.add('checks');
    pending.push(() => {
      const index = this.counter.current;
      if (existing === undefined) record.createIndex = index;
      record.modifyIndex = index;
      if (existing !== undefined) this.deleteCheck(existing);
      this.putCheck(record);
    });
  }

  /** A node-level check touches every service on the node; a service check only its service name. */
  private namesAffectedBy(serviceName: string): Set<string> {
    if (serviceName !== '') return new Set([serviceName]);
    return new Set(this.byName.keys());
  }

  private putCheck(record: CheckRecord): void {
    this.checks.set(record.checkId, record);
    let ids = this.checksByService.get(record.serviceId);
    if (ids === undefined) {
      ids = new Set();
      this.checksByService.set(record.serviceId, ids);
    }
    ids.add(record.checkId);
  }

  private deleteCheck(record: CheckRecord): void {
    this.checks.delete(record.checkId);
    const ids = this.checksByService.get(record.serviceId);
    ids?.delete(record.checkId);
    if (ids !== undefined && ids.size === 0) this.checksByService.delete(record.serviceId);
  }

  private putService(record: ServiceRecord): void {
    const previous = this.services.get(record.id);
    if (previous !== undefined && previous.name !== record.name) this.byName.get(previous.name)?.delete(record.id);
    this.services.set(record.id, record);
    let ids = this.byName.get(record.name);
    if (ids === undefined) {
      ids = new Set();
      this.byName.set(record.name, ids);
    }
    ids.add(record.id);
  }

  private deleteService(record: ServiceRecord): void {
    this.services.delete(record.id);
    const ids = this.byName.get(record.name);
    ids?.delete(record.id);
    if (ids !== undefined && ids.size === 0) this.byName.delete(record.name);
  }

  private noteMaybeExtinct(name: string, index: number): void {
    if ((this.byName.get(name)?.size ?? 0) > 0) return;
    this.byName.delete(name);
    this.serviceIndex.delete(name);
    this.extinctionIndex = index;
  }

  private commit(index: number, names: Set<string>, tables: Set<TableName>): void {
    for (const t of tables) this.tableIndex[t] = index;
    for (const name of names) {
      if (this.byName.has(name)) this.serviceIndex.set(name, index);
    }
    const change: CatalogChange = { index, serviceNames: names, tables };
    for (const listener of this.listeners) listener(change);
  }
}
