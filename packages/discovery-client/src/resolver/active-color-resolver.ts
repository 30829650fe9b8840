import type { ConsulHttp } from '../consul/consul-http.js';
import { consulStatusError } from '../consul/consul-http.js';
import type { ServiceInstance } from '../instance.js';
import { backoffDelay, sleep, type BackoffOptions } from '../retry/backoff.js';
import { nextIndex } from './consul-resolver.js';
import { instanceColor, type Resolver, type ResolverListener } from './resolver.js';

/** Options of {@link ActiveColorResolver}. */
export interface ActiveColorResolverOptions {
  /** How long one blocking query on the key may hang in Consul, ms (sent as `wait`). */
  waitMs: number;
  /** Backoff while Consul fails. */
  backoff: BackoffOptions;
  random?: () => number;
}

/** The KV key holding the active color of `service`: `discovery/<service>/active`. */
export function activeColorKey(service: string): string {
  return `discovery/${service}/active`;
}

/** The KV API path of {@link activeColorKey} (`/v1/kv/discovery/<service>/active`, each segment encoded), without a query. */
export function activeColorPath(service: string): string {
  return `/v1/kv/${activeColorKey(service).split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Blue/green routing: wraps the resolver of a service and passes on only the instances of its active color.
 * The active color is the value of the Consul KV key `discovery/<service>/active`, watched with blocking
 * queries, so a flip reaches every client within one round trip. No key (or an empty value): every instance
 * passes. The first list is held back until the key has been read once, so a client never starts on the
 * wrong color; while Consul cannot be read the last known color stays in force (none known: every instance).
 * Errors of the wrapped resolver pass through unchanged. Each list carries `activeColor`: the key, the color in
 * force and the wrapped resolver's whole list, so the client can say why a list came out empty.
 */
export class ActiveColorResolver implements Resolver {
  private listener: ResolverListener | undefined;
  private readonly abort = new AbortController();
  private closed = false;
  private instances: readonly ServiceInstance[] | undefined;
  private emptyBecause: Error | undefined;
  /** `undefined` until the key has been read (or failed to be read) once; `null`: no active color. */
  private color: string | null | undefined;
  private published: string | undefined;

  constructor(
    readonly service: string,
    private readonly inner: Resolver,
    private readonly consul: ConsulHttp,
    private readonly options: ActiveColorResolverOptions,
  ) {}

  /** The active color in force: a color, `null` for none, `undefined` before the key was first read. */
  get activeColor(): string | null | undefined {
    return this.color;
  }

  start(listener: ResolverListener): void {
    if (this.listener) throw new Error('ActiveColorResolver already started');
    this.listener = listener;
    this.inner.start((update) => {
      if (update.type !== 'instances') {
        this.listener?.(update);
        return;
      }
      this.instances = update.instances;
      this.emptyBecause = update.emptyBecause;
      this.publish(true);
    });
    void this.watch();
  }

  private publish(listChanged = false): void {
    if (this.instances === undefined || this.color === undefined) return;
    const color = this.color;
    const instances = color === null ? this.instances : this.instances.filter((i) => instanceColor(i) === color);
    const signature = JSON.stringify([color, instances.map((i) => i.key)]);
    if (!listChanged && signature === this.published) return;
    this.published = signature;
    this.listener?.({
      type: 'instances',
      instances,
      activeColor: { key: activeColorKey(this.service), color, listed: this.instances },
      ...(this.instances.length === 0 && this.emptyBecause ? { emptyBecause: this.emptyBecause } : {}),
    });
  }

  private async watch(): Promise<void> {
    let index = 0;
    let failures = 0;
    while (!this.closed) {
      const query = new URLSearchParams({ index: String(index), wait: `${Math.ceil(this.options.waitMs / 1000)}s` });
      if (this.consul.options.dc) query.set('dc', this.consul.options.dc);
      const path = `${activeColorPath(this.service)}?${query.toString()}`;
      try {
        const response = await this.consul.request({
          method: 'GET', path, signal: this.abort.signal,
          timeoutMs: this.options.waitMs + Math.ceil(this.options.waitMs / 16) + 5000,
        });
        if (this.closed) break;
        if (response.statusCode !== 200 && response.statusCode !== 404) throw consulStatusError(response, `GET ${path}`);
        index = nextIndex(index, response.headers['x-consul-index']).index;
        failures = 0;
        this.color = response.statusCode === 404 ? null : decodeColor(response.body);
        this.publish();
      } catch {
        if (this.closed) break;
        // as the health watch: an agent that restarted has a fresh, lower index; start over from 0
        index = 0;
        failures += 1;
        if (this.color === undefined) {
          this.color = null; // never read: serve every instance rather than none
          this.publish();
        }
        await sleep(backoffDelay(failures, this.options.backoff, this.options.random), this.abort.signal);
      }
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.listener = undefined;
    this.abort.abort();
    this.inner.close();
  }
}

/** The color in a KV answer (`[{ "Value": "<base64>" }]`), trimmed; `null` when empty. */
export function decodeColor(body: string): string | null {
  const entries = JSON.parse(body) as Array<{ Value?: string | null }>;
  const raw = entries[0]?.Value;
  const color = raw ? Buffer.from(raw, 'base64').toString('utf8').trim() : '';
  return color === '' ? null : color;
}
