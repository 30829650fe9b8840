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
import type { Attempt, TimelineEvent } from './records.js';

export interface Answer {
  readonly status: number;
  /** Port of the instance that answered (its `x-instance` header). */
  readonly instance: number;
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

  event(kind: string, port: number): void {
    this.timeline.push({ t: this.elapsed(), port, kind });
  }
}

const portOf = (url: string): number => Number(new URL(url).port);

function headerPort(value: string | string[] | undefined): number {
  return Number(Array.isArray(value) ? value[0] : value) || 0;
}

/** discovery-client through its public API: a static list, so no registry is involved. */
function libraryClient(variant: ServiceOptions, urls: string[], path: string, log: AttemptLog): ContenderClient {
  const requestId = new AsyncLocalStorage<number>();
  const discovery = new DiscoveryClient({ logger: false, static: { bench: urls } });
  const service = discovery.service('bench', { timeout: ATTEMPT_TIMEOUT_MS, retry: { limit: RETRY_LIMIT }, ...variant });
  const ports = new Map(urls.map((url) => [url, portOf(url)]));
  const port = (url: string): number => ports.get(url) ?? portOf(url);
  discovery.on('instancePicked', ({ instance }) => {
    const rid = requestId.getStore();
    if (rid !== undefined) log.attempt(rid, port(instance.url));
  });
  const failed = ({ instance }: { instance: { url: string } }): void => {
    const rid = requestId.getStore();
    if (rid !== undefined) log.failed(rid, port(instance.url));
  };
  discovery.on('callFailed', failed);
  discovery.on('callTimedOut', failed);
  discovery.on('breakerOpen', ({ instance }) => log.event('open', port(instance.url)));
  discovery.on('breakerHalfOpen', ({ instance }) => log.event('half-open', port(instance.url)));
  discovery.on('breakerClose', ({ instance }) => log.event('close', port(instance.url)));
  return {
    call: (rid) =>
      requestId.run(rid, async () => {
        try {
          const res = await service.get(path);
          JSON.parse(res.body);
          return { status: res.statusCode, instance: headerPort(res.headers['x-instance']) };
        } catch (error) {
          if (isUpstreamHttpError(error)) throw new FailedAnswerError(error.statusCode, error.instance ? port(error.instance.url) : 0);
          throw error;
        }
      }),
    close: () => discovery.close(),
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
      JSON.parse(text);
      return { status: res.statusCode, instance };
    },
    close: () => pool.close(),
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
        JSON.parse(text);
        return { status: res.statusCode, instance };
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

/** The client of a contender, given the instances and (for a proxy) the proxy's URL. */
export function createClient(contender: ContenderName, urls: string[], path: string, log: AttemptLog, proxyUrl?: string): ContenderClient {
  switch (contender) {
    case 'library':
      return libraryClient({}, urls, path, log);
    case 'library-got':
      return libraryClient({ transport: 'got' }, urls, path, log);
    case 'library-least-loaded':
      return libraryClient({ balancer: 'least-loaded' }, urls, path, log);
    case 'library-datawire':
      return libraryClient({ breaker: { preset: 'datawire' } }, urls, path, log);
    case 'direct':
      return poolClient(urls[0]!, path, ATTEMPT_TIMEOUT_MS);
    case 'nginx':
    case 'haproxy':
      if (!proxyUrl) throw new Error(`${contender} needs the proxy's URL`);
      return poolClient(proxyUrl, path, PROXY_CLIENT_TIMEOUT_MS);
    case 'by-hand':
      return byHandClient(urls, path, log);
  }
}
