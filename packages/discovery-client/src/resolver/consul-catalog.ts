import { ConsulHttp, consulStatusError, type ConsulRequestOptions, type ConsulResponse } from '../consul/consul-http.js';
import { resolveConsulOptions, type ConsulOptions, type ResolvedConsulOptions } from '../consul/consul-options.js';
import { RegistryUnavailableError } from '../errors/registry-unavailable-error.js';
import type { ServiceInstance } from '../instance.js';
import { bad, checkBoolean, checkNumber, checkObject, checkStringRecord } from '../options/checker.js';
import { activeColorKey, activeColorPath, decodeColor } from './active-color-resolver.js';
import { compareInstances, healthStatus, parseHealthEntry, type HealthStatus } from './health-entries.js';
import { matchesFilter } from './resolver.js';

/** An instance as {@link ConsulCatalog.instances} lists it: the resolver's instance and the worst status of its checks. */
export interface ListedInstance extends ServiceInstance {
  readonly health: HealthStatus;
}

/** Options of {@link ConsulCatalog.instances}. */
export interface ListInstancesOptions {
  /**
   * Only instances whose checks all pass (Consul's `?passing`, as the resolver asks); `false`: every registered
   * instance, each with its `health`.
   * @default true
   */
  passing?: boolean;
  /** Only instances carrying every one of these tags. @default no tag filter */
  tags?: readonly string[];
  /** Only instances whose meta has every one of these pairs. @default no meta filter */
  meta?: Readonly<Record<string, string>>;
  /** How long Consul may take to answer, ms. @default 5000 */
  timeoutMs?: number;
}

/** Options of a {@link ConsulCatalog}. */
export interface ConsulCatalogOptions {
  /** Where Consul is; missing fields from CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN, CONSUL_CACERT... @default {} */
  consul?: ConsulOptions;
  /** How long Consul may take to answer each request, ms. @default 5000 */
  timeoutMs?: number;
}

export const DEFAULT_CATALOG_TIMEOUT_MS = 5000;

const LIST_OPTIONS = ['passing', 'tags', 'meta', 'timeoutMs'];

/**
 * What a program outside the call path needs of Consul, one request each (no watch): the instances of a service
 * as the resolver parses them, the blue/green active color, and removing an instance it cannot stop itself. Over
 * the library's own Consul client (ACL token, TLS, `dc`, from the options or the environment as the `consul` CLI
 * reads it). Failures reject with `RegistryUnavailableError` (unreachable, timed out, an HTTP error) or its
 * `RegistryAccessDeniedError` (403). `close()` releases the kept-alive connection.
 *
 * @example
 * const catalog = new ConsulCatalog();   // CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN...
 * const up = await catalog.instances('ratings', { tags: ['v2.0'] });   // passing only
 * console.log(up.map((i) => i.url));   // ['http://127.0.0.1:8001', 'http://[::1]:8002']
 * await catalog.setActiveColor('ratings', 'green');
 * catalog.close();
 */
export class ConsulCatalog {
  /** The agent as resolved (`baseUrl` for messages). */
  readonly consul: ResolvedConsulOptions;
  private readonly http: ConsulHttp;
  private readonly timeoutMs: number;

  /** @throws TypeError naming a bad option; RegistryConfigError when CONSUL_CACERT or CONSUL_HTTP_TOKEN_FILE cannot be read. */
  constructor(options: ConsulCatalogOptions = {}) {
    checkObject('options', options, ['consul', 'timeoutMs']);
    this.timeoutMs = checkNumber('timeoutMs', options.timeoutMs ?? DEFAULT_CATALOG_TIMEOUT_MS, 1);
    this.consul = resolveConsulOptions(options.consul);
    this.http = new ConsulHttp(this.consul);
  }

  /**
   * The instances of `service` (`GET /v1/health/service/:name`), sorted by ID; passing only unless
   * `passing: false`; filtered by `tags` and `meta`. A service Consul does not know lists as `[]`.
   */
  async instances(service: string, options: ListInstancesOptions = {}): Promise<ListedInstance[]> {
    checkObject('options', options, LIST_OPTIONS);
    const passing = checkBoolean('passing', options.passing, true);
    const tags = options.tags;
    if (tags !== undefined && (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string'))) throw bad('tags', 'an array of strings', tags);
    const meta = checkStringRecord('meta', options.meta);
    const query = new URLSearchParams(passing ? { passing: '1' } : {});
    if (this.consul.dc) query.set('dc', this.consul.dc);
    const path = `/v1/health/service/${encodeURIComponent(service)}${query.size > 0 ? `?${query.toString()}` : ''}`;
    const response = await this.send({ method: 'GET', path }, options.timeoutMs);
    if (response.statusCode !== 200) throw consulStatusError(response, `GET ${path}`);
    let entries: unknown;
    try {
      entries = JSON.parse(response.body);
    } catch (error) {
      throw new RegistryUnavailableError('consul answered a health query with invalid JSON', { cause: error });
    }
    if (!Array.isArray(entries)) throw new RegistryUnavailableError('consul answered a non-array to a health query');
    const listed: ListedInstance[] = [];
    for (const entry of entries) {
      const instance = parseHealthEntry(service, entry);
      if (instance && matchesFilter(instance, { tags, meta })) listed.push({ ...instance, health: healthStatus(entry) });
    }
    return listed.sort(compareInstances);
  }

  /** The active color of `service` (KV `discovery/<service>/active`, trimmed), `undefined` when none is set. */
  async activeColor(service: string): Promise<string | undefined> {
    const path = this.kvPath(service);
    const response = await this.send({ method: 'GET', path });
    if (response.statusCode === 404) return undefined;
    if (response.statusCode !== 200) throw consulStatusError(response, `reading ${activeColorKey(service)}`);
    return decodeColor(response.body) ?? undefined;
  }

  /** Sets the active color of `service`: callers asking for `color: 'active'` move to that color's instances. */
  async setActiveColor(service: string, color: string): Promise<void> {
    const response = await this.send({ method: 'PUT', path: this.kvPath(service), body: color });
    if (response.statusCode !== 200 || response.body.trim() !== 'true') {
      throw consulStatusError(response, `writing ${activeColorKey(service)}`);
    }
  }

  /** Removes the active color of `service`: every instance serves. No key is no error. */
  async clearActiveColor(service: string): Promise<void> {
    const response = await this.send({ method: 'DELETE', path: this.kvPath(service) });
    if (response.statusCode !== 200) throw consulStatusError(response, `deleting ${activeColorKey(service)}`);
  }

  /**
   * Removes an instance from the agent it registered with (`PUT /v1/agent/service/deregister/:id`), for an
   * instance whose process cannot deregister itself. An ID the agent does not know is no error.
   */
  async deregister(id: string): Promise<void> {
    const response = await this.send({ method: 'PUT', path: `/v1/agent/service/deregister/${encodeURIComponent(id)}` });
    if (response.statusCode !== 200 && response.statusCode !== 404) throw consulStatusError(response, `deregistering ${id}`);
  }

  /** Closes the kept-alive connection; the catalog is not used after. */
  close(): void {
    this.http.close();
  }

  private kvPath(service: string): string {
    return `${activeColorPath(service)}${this.consul.dc ? `?dc=${encodeURIComponent(this.consul.dc)}` : ''}`;
  }

  private send(request: Omit<ConsulRequestOptions, 'timeoutMs'>, timeoutMs?: number): Promise<ConsulResponse> {
    const ms = timeoutMs === undefined ? this.timeoutMs : checkNumber('timeoutMs', timeoutMs, 1);
    return this.http.request({ ...request, timeoutMs: ms });
  }
}
