/**
 * The in-process side of each contender: what the load generator calls once per request. Each client
 * reports the attempts it makes (and its breaker events) to an {@link AttemptLog}; for nginx and HAProxy
 * the attempts come from their access logs instead.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import CircuitBreaker from 'opossum';
import { Pool } from 'undici';
import { DiscoveryClient, isUpstreamHttpError, type ServiceOptions } from 'discovery-client';
import { ATTEMPT_TIMEOUT_MS, PROXY_CLIENT_TIMEOUT_MS, RETRY_LIMIT } from './config.js';
import type { ContenderName } from './contenders.js';
import type { Attempt, GeneratorSpec, TimelineEvent } from './records.js';
import { onUndiciSends } from './undici-sends.js';

export interface Answer {
  readonly status: number;
  /** Port of the instance that answered (its `x-instance` header). */
  readonly instance: number;
  /** The `version` field of the JSON body, when there is one. */
  readonly version?: string;
}

/** The answer's status, instance (its `x-instance` header's port) and version; throws when the body is not JSON. */
function answerOf(status: number, instance: number, text: string): Answer {
  const body = JSON.parse(text) as { version?: unknown } | null;
  return typeof body?.version === 'string' ? { status, instance, version: body.version } : { status, instance };
}

/** An error that carries the HTTP status and instance of an answer that failed the call (a 5xx). */
export class FailedAnswerError extends Error {
  constructor(
    readonly status: number,
    readonly instance: number,
  ) {
    super(`answered ${status}`);
    this.name = 'FailedAnswerError';
  }
}

export interface ContenderClient {
  /** Sends request `rid` and resolves with the answer, or rejects. */
  call(rid: number): Promise<Answer>;
  close(): Promise<void>;
}

/** Where clients report attempts: times are ms from the start of the schedule (`elapsed`). */
export class AttemptLog {
  readonly attempts: Attempt[] = [];
  readonly timeline: TimelineEvent[] = [];
  /** The latest attempt of each request on each port, to mark it failed. */
  private readonly open = new Map<string, Attempt>();

  constructor(readonly elapsed: () => number) {}

  attempt(rid: number, port: number): void {
    const attempt: Attempt = { rid, t: this.elapsed(), port };
    this.attempts.push(attempt);
    this.open.set(`${rid}:${port}`, attempt);
  }

  failed(rid: number, port: number): void {
    const attempt = this.open.get(`${rid}:${port}`);
    if (attempt) attempt.failed = true;
  }

  event(kind: string, port: number, reason?: string): void {
    this.timeline.push(reason === undefined ? { t: this.elapsed(), port, kind } : { t: this.elapsed(), port, kind, reason });
  }
}

const portOf = (url: string): number => Number(new URL(url).port);

function headerPort(value: string | string[] | null | undefined): number {
  return Number(Array.isArray(value) ? value[0] : value) || 0;
}

/** Where the library finds its instances: a static list (fault runs), or Consul and the service's active color (deploy runs). */
export type LibraryTarget = { readonly urls: string[] } | { readonly consul: { readonly host: string; readonly port: number; readonly service: string } };

/**
 * discovery-client through its public API: a static list, so no registry is involved, or Consul for deploys.
 * Its attempts are those undici wrote to a socket (undici-sends.ts: one still queued in a pool when it timed
 * out never reached the instance); with got, those it picked (`instancePicked`).
 */
function libraryClient(variant: ServiceOptions, target: LibraryTarget, path: string, log: AttemptLog, through: 'call' | 'fetch' = 'call'): ContenderClient {
  const requestId = new AsyncLocalStorage<number>();
  const budget: ServiceOptions = { timeout: ATTEMPT_TIMEOUT_MS, retry: { limit: RETRY_LIMIT } };
  const discovery = 'urls' in target
    ? new DiscoveryClient({ logger: false, static: { bench: target.urls } })
    : new DiscoveryClient({ logger: false, consul: { host: target.consul.host, port: target.consul.port } });
  const name = 'urls' in target ? 'bench' : target.consul.service;
  const options: ServiceOptions = 'urls' in target ? { ...budget, ...variant } : { ...budget, color: 'active', ...variant };
  const service = discovery.service(name, options);
  const urls = 'urls' in target ? target.urls : [];
  const ports = new Map(urls.map((url) => [url, portOf(url)]));
  const port = (url: string): number => ports.get(url) ?? portOf(url);
  let unsubscribe = (): void => undefined;
  if (variant.transport === 'got') {
    discovery.on('instancePicked', ({ instance }) => {
      const rid = requestId.getStore();
      if (rid !== undefined) log.attempt(rid, port(instance.url));
    });
  } else {
    unsubscribe = onUndiciSends(() => requestId.getStore(), path, (rid, origin) => log.attempt(rid, port(origin)));
  }
  const failed = ({ instance }: { instance: { url: string } }): void => {
    const rid = requestId.getStore();
    if (rid !== undefined) log.failed(rid, port(instance.url));
  };
  discovery.on('callFailed', failed);
  discovery.on('callTimedOut', failed);
  discovery.on('breakerOpen', ({ instance, reason }) => log.event('open', port(instance.url), reason));
  discovery.on('breakerHalfOpen', ({ instance }) => log.event('half-open', port(instance.url)));
  discovery.on('breakerClose', ({ instance }) => log.event('close', port(instance.url)));
  const close = async (): Promise<void> => {
    unsubscribe();
    await discovery.close();
  };
  if (through === 'fetch') {
    // the same service options, each call through Node's fetch and the library's dispatcher
    const dispatcher = discovery.dispatcher({ services: { [name]: options } });
    const url = `http://${name}.service.consul${path}`;
    // Node's RequestInit types name the undici-types of Node's bundled undici (6), the dispatcher is undici 7's
    const init = { dispatcher } as unknown as RequestInit;
    return {
      call: (rid) =>
        requestId.run(rid, async () => {
          const res = await fetch(url, init);
          const text = await res.text();
          const instance = headerPort(res.headers.get('x-instance'));
          if (!res.ok) throw new FailedAnswerError(res.status, instance);
          return answerOf(res.status, instance, text);
        }),
      close,
    };
  }
  return {
    call: (rid) =>
      requestId.run(rid, async () => {
        try {
          const res = await service.get(path);
          return answerOf(res.statusCode, headerPort(res.headers['x-instance']), res.body);
        } catch (error) {
          if (isUpstreamHttpError(error)) throw new FailedAnswerError(error.statusCode, error.instance ? port(error.instance.url) : 0);
          throw error;
        }
      }),
    close,
  };
}

/** One undici pool to one origin (an instance for `direct`, the proxy for nginx and HAProxy). */
function poolClient(origin: string, path: string, timeoutMs: number): ContenderClient {
  const pool = new Pool(origin);
  return {
    async call(rid) {
      const res = await pool.request({ method: 'GET', path, headers: { 'x-request-id': String(rid) }, signal: AbortSignal.timeout(timeoutMs) });
      const text = await res.body.text();
      const instance = headerPort(res.headers['x-instance']);
      if (res.statusCode >= 500) throw new FailedAnswerError(res.statusCode, instance);
      return answerOf(res.statusCode, instance, text);
    },
    close: () => pool.close(),
  };
}

/**
 * Node's global `fetch()` to one origin (`nginx-fetch`: the nginx proxy), otherwise as {@link poolClient}: the same
 * request id header, timeout and 5xx rule. It measures what fetch itself costs a caller, which `library-fetch` pays
 * too, apart from what `discovery.dispatcher()` adds.
 */
function fetchClient(origin: string, path: string, timeoutMs: number): ContenderClient {
  const url = `${origin}${path}`;
  return {
    async call(rid) {
      const res = await fetch(url, { headers: { 'x-request-id': String(rid) }, signal: AbortSignal.timeout(timeoutMs) });
      const text = await res.text();
      const instance = headerPort(res.headers.get('x-instance'));
      if (res.status >= 500) throw new FailedAnswerError(res.status, instance);
      return answerOf(res.status, instance, text);
    },
    // the connections are the global dispatcher's, which the process keeps until it exits
    close: () => Promise.resolve(),
  };
}

/**
 * "By hand": what a user glues together without the library. Round-robin over the list, one opossum
 * breaker per instance with opossum's defaults except `timeout`, one retry on the next instance. A 5xx is
 * thrown inside the breaker so it counts. opossum's timeout rejects the call but does not abort the socket.
 */
function byHandClient(urls: string[], path: string, log: AttemptLog): ContenderClient {
  const ports = urls.map(portOf);
  const pools = urls.map((url) => new Pool(url));
  const breakers = pools.map((pool, i) => {
    const breaker = new CircuitBreaker(
      async (rid: number): Promise<Answer> => {
        log.attempt(rid, ports[i]!);
        const res = await pool.request({ method: 'GET', path });
        const text = await res.body.text();
        const instance = headerPort(res.headers['x-instance']);
        if (res.statusCode >= 500) throw new FailedAnswerError(res.statusCode, instance);
        return answerOf(res.statusCode, instance, text);
      },
      { timeout: ATTEMPT_TIMEOUT_MS },
    );
    breaker.on('open', () => log.event('open', ports[i]!));
    breaker.on('halfOpen', () => log.event('half-open', ports[i]!));
    breaker.on('close', () => log.event('close', ports[i]!));
    return breaker;
  });
  let next = 0;
  return {
    async call(rid) {
      const first = next;
      next = (next + 1) % urls.length;
      let lastError: unknown;
      for (let k = 0; k <= RETRY_LIMIT; k++) {
        const i = (first + k) % urls.length;
        try {
          return await breakers[i]!.fire(rid);
        } catch (error) {
          lastError = error;
          if ((error as { code?: string }).code !== 'EOPENBREAKER') log.failed(rid, ports[i]!);
        }
      }
      throw lastError;
    },
    async close() {
      for (const breaker of breakers) breaker.shutdown();
      await Promise.all(pools.map((pool) => pool.destroy()));
    },
  };
}

/**
 * The client of a contender, given the instances and (for a proxy) the proxy's URL. With `consul` (deploy
 * runs) the library variants find the instances there; the others still need `urls` or `proxyUrl`.
 */
export function createClient(
  contender: ContenderName, urls: string[], path: string, log: AttemptLog, proxyUrl?: string, consul?: GeneratorSpec['consul'],
): ContenderClient {
  const target: LibraryTarget = consul ? { consul } : { urls };
  switch (contender) {
    case 'library':
      return libraryClient({}, target, path, log);
    case 'library-got':
      return libraryClient({ transport: 'got' }, target, path, log);
    case 'library-least-loaded':
      return libraryClient({ balancer: 'least-loaded' }, target, path, log);
    case 'library-hedged':
      return libraryClient({ hedging: {} }, target, path, log);
    case 'library-datawire':
      return libraryClient({ breaker: { preset: 'datawire' } }, target, path, log);
    case 'library-fetch':
      return libraryClient({}, target, path, log, 'fetch');
    case 'direct':
      return poolClient(urls[0]!, path, ATTEMPT_TIMEOUT_MS);
    case 'nginx':
    case 'haproxy':
    case 'haproxy-tuned':
    case 'caddy':
      if (!proxyUrl) throw new Error(`${contender} needs the proxy's URL`);
      return poolClient(proxyUrl, path, PROXY_CLIENT_TIMEOUT_MS);
    case 'nginx-fetch':
      if (!proxyUrl) throw new Error(`${contender} needs the proxy's URL`);
      return fetchClient(proxyUrl, path, PROXY_CLIENT_TIMEOUT_MS);
    case 'by-hand':
      return byHandClient(urls, path, log);
  }
}
