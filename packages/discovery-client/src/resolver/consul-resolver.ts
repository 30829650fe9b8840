import type { ConsulHttp, ConsulResponse } from '../consul/consul-http.js';
import { consulStatusError } from '../consul/consul-http.js';
import { NoMatchingInstancesError } from '../errors/no-matching-instances-error.js';
import { RegistryAccessDeniedError } from '../errors/registry-access-denied-error.js';
import { RegistryUnavailableError } from '../errors/registry-unavailable-error.js';
import { UnknownServiceError } from '../errors/unknown-service-error.js';
import type { ServiceInstance } from '../instance.js';
import { backoffDelay, sleep, type BackoffOptions } from '../retry/backoff.js';
import { parseHealthEntries } from './health-entries.js';
import { matchesFilter, type InstanceFilter, type Resolver, type ResolverListener } from './resolver.js';

/** Options of {@link ConsulResolver}. */
export interface ConsulResolverOptions {
  /** How long one blocking query may hang in Consul, ms (sent as `wait`). */
  waitMs: number;
  /** Backoff while Consul fails. */
  backoff: BackoffOptions;
  /** After this long without a good answer the last list is dropped, ms (Infinity: keep it forever). */
  maxStalenessMs: number;
  /** Minimum spacing between queries beyond a burst of two, ms (the docs' "rate limit" duty). */
  minQueryIntervalMs: number;
  /**
   * Socket timeout of a non-blocking query (index 0: the first one, or after an index reset), ms: Consul
   * answers those at once, so a silent agent is reported quickly instead of after a whole `wait`.
   * @default 5000
   */
  firstQueryTimeoutMs?: number;
  filter?: InstanceFilter;
  random?: () => number;
  now?: () => number;
}

export const DEFAULT_FIRST_QUERY_TIMEOUT_MS = 5000;

/** Index rules from Consul's blocking-query docs: never 0 (treat as 1), reset to 0 when it goes backwards. */
export function nextIndex(previous: number, header: string | string[] | undefined): { index: number; reset: boolean } {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined || !/^\d+$/.test(raw.trim())) {
    throw new RegistryUnavailableError(`consul answered without a valid X-Consul-Index (${JSON.stringify(raw ?? null)})`);
  }
  const received = Math.max(1, Number(raw));
  if (received < previous) return { index: 0, reset: true };
  return { index: received, reset: false };
}

/** One header's value (Node lower-cases incoming names; Consul's spelling varies: match case-insensitively). */
function headerValue(headers: ConsulResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function signature(instances: readonly ServiceInstance[]): string {
  return JSON.stringify(instances.map((i) => [i.key, i.url, i.tags, i.meta]));
}

/**
 * Watches `/v1/health/service/:name?passing` with blocking queries and hands each changed list (filtered by
 * tags/meta) to its listener. When Consul fails it reports the failure as a value, backs off with jitter
 * and tries again from index 0 (a non-blocking query), forever, until `close()`.
 */
export class ConsulResolver implements Resolver {
  private listener: ResolverListener | undefined;
  private readonly abort = new AbortController();
  private closed = false;
  private readonly random: () => number;
  private readonly now: () => number;
  /** Query start times of the last two queries (token bucket of two). */
  private recentStarts: number[] = [];
  private loopDone: Promise<void> | undefined;

  constructor(
    readonly service: string,
    private readonly consul: ConsulHttp,
    private readonly options: ConsulResolverOptions,
  ) {
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  start(listener: ResolverListener): void {
    if (this.listener) throw new Error('ConsulResolver already started');
    this.listener = listener;
    this.loopDone = this.loop();
  }

  /** Resolves when the watch loop has exited after `close()`. */
  get done(): Promise<void> {
    return this.loopDone ?? Promise.resolve();
  }

  private path(index: number): string {
    const query = new URLSearchParams({ passing: '1', index: String(index), wait: `${Math.ceil(this.options.waitMs / 1000)}s` });
    if (this.consul.options.dc) query.set('dc', this.consul.options.dc);
    return `/v1/health/service/${encodeURIComponent(this.service)}?${query.toString()}`;
  }

  private async loop(): Promise<void> {
    let index = 0;
    let failures = 0;
    let lastSignature: string | undefined;
    let lastGoodAt: number | undefined;
    let failingSince: number | undefined;
    const startedAt = this.now();
    while (!this.closed) {
      await this.rateLimit();
      if (this.closed) break;
      try {
        const response = await this.consul.request({
          method: 'GET',
          path: this.path(index),
          // a blocking query: Consul may add up to wait/16 of jitter; leave room for it before calling the agent dead
          timeoutMs:
            index === 0
              ? (this.options.firstQueryTimeoutMs ?? DEFAULT_FIRST_QUERY_TIMEOUT_MS)
              : this.options.waitMs + Math.ceil(this.options.waitMs / 16) + 5000,
          signal: this.abort.signal,
        });
        if (this.closed) break;
        if (response.statusCode !== 200) throw consulStatusError(response, `GET ${this.path(index)}`);
        let body: unknown;
        try {
          body = JSON.parse(response.body);
        } catch (error) {
          throw new RegistryUnavailableError('consul answered a health query with invalid JSON', { cause: error });
        }
        const instances = parseHealthEntries(this.service, body);
        index = nextIndex(index, response.headers['x-consul-index']).index;
        failures = 0;
        lastGoodAt = this.now();
        if (failingSince !== undefined) {
          this.listener?.({ type: 'recovered', downForMs: lastGoodAt - failingSince });
          failingSince = undefined;
          lastSignature = undefined; // republish: the client may have dropped an expired list
        }
        const filtered = this.options.filter ? instances.filter((i) => matchesFilter(i, this.options.filter!)) : instances;
        const sig = signature(filtered);
        if (sig !== lastSignature) {
          lastSignature = sig;
          // only an empty list asks why (the catalog, at most one more request): a list with instances costs nothing more
          const emptyBecause = filtered.length === 0 ? await this.whyEmpty(instances, response.headers) : undefined;
          if (this.closed) break;
          this.listener?.({ type: 'instances', instances: filtered, ...(emptyBecause ? { emptyBecause } : {}) });
        }
      } catch (error) {
        if (this.closed) break;
        // Consul's own watch starts over from index 0 after any error: the agent may have restarted with a
        // fresh (lower) index, and a blocking query on the old one would hang for a whole wait
        index = 0;
        failures++;
        failingSince ??= this.now();
        const staleForMs = this.now() - (lastGoodAt ?? startedAt);
        const wrapped =
          error instanceof RegistryUnavailableError
            ? error
            : new RegistryUnavailableError(`consul watch of ${this.service} failed: ${(error as Error).message}`, { cause: error });
        this.listener?.({
          type: 'error',
          error: wrapped,
          staleForMs,
          expired: lastGoodAt === undefined || staleForMs > this.options.maxStalenessMs,
        });
        await sleep(backoffDelay(failures, this.options.backoff, this.random), this.abort.signal);
      }
    }
  }

  /**
   * Why the filtered list is empty, when the registry can tell: the filter matched none of the passing instances
   * (`NoMatchingInstancesError`); ACLs hid them (`X-Consul-Results-Filtered-By-ACLs: true`, or no token under
   * `X-Consul-Default-Acl-Policy: deny` with an empty catalog: `RegistryAccessDeniedError`); the catalog knows no
   * such service (`GET /v1/catalog/service/:name` is `[]`: `UnknownServiceError`). `undefined`: instances exist
   * but none is passing (the plain "all down"), or the catalog could not be read.
   */
  private async whyEmpty(passing: readonly ServiceInstance[], headers: ConsulResponse['headers']): Promise<Error | undefined> {
    const filter = this.options.filter;
    if (passing.length > 0 && filter) return new NoMatchingInstancesError(this.service, { tags: filter.tags, meta: filter.meta, color: filter.color }, passing.length);
    const hidden = this.hiddenByAcls(headers);
    if (hidden) return hidden;
    const query = new URLSearchParams();
    if (this.consul.options.dc) query.set('dc', this.consul.options.dc);
    const path = `/v1/catalog/service/${encodeURIComponent(this.service)}${query.size > 0 ? `?${query.toString()}` : ''}`;
    let listed: unknown;
    let catalogHeaders: ConsulResponse['headers'];
    try {
      const response = await this.consul.request({
        method: 'GET',
        path,
        timeoutMs: this.options.firstQueryTimeoutMs ?? DEFAULT_FIRST_QUERY_TIMEOUT_MS,
        signal: this.abort.signal,
      });
      if (response.statusCode !== 200) return undefined;
      listed = JSON.parse(response.body);
      catalogHeaders = response.headers;
    } catch {
      return undefined;
    }
    if (!Array.isArray(listed) || listed.length > 0) return undefined;
    const hiddenFromCatalog = this.hiddenByAcls(catalogHeaders);
    if (hiddenFromCatalog) return hiddenFromCatalog;
    if (!this.consul.options.token && headerValue(headers, 'x-consul-default-acl-policy') === 'deny') {
      return new RegistryAccessDeniedError(
        `consul at ${this.consul.options.baseUrl} shows no ${this.service} instance to a request without an ACL token ` +
          '(its default ACL policy is deny): set CONSUL_HTTP_TOKEN or the `consul.token` option',
        'filtered',
      );
    }
    const registry = `${this.consul.options.baseUrl}${this.consul.options.dc ? ` (dc ${this.consul.options.dc})` : ''}`;
    return new UnknownServiceError(this.service, registry);
  }

  private hiddenByAcls(headers: ConsulResponse['headers']): RegistryAccessDeniedError | undefined {
    if (headerValue(headers, 'x-consul-results-filtered-by-acls')?.toLowerCase() !== 'true') return undefined;
    return new RegistryAccessDeniedError(
      `consul at ${this.consul.options.baseUrl} hid ${this.service} instances from this ACL token ` +
        '(X-Consul-Results-Filtered-By-ACLs: true): the token lacks service:read / node:read on them',
      'filtered',
    );
  }

  private async rateLimit(): Promise<void> {
    const now = this.now();
    const interval = this.options.minQueryIntervalMs;
    this.recentStarts = this.recentStarts.filter((t) => now - t < 2 * interval);
    if (this.recentStarts.length >= 2) {
      await sleep(2 * interval - (now - this.recentStarts[0]!), this.abort.signal);
    }
    this.recentStarts.push(this.now());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.listener = undefined;
    this.abort.abort();
  }
}
