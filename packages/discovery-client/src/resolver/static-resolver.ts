import { formatUrl, type ServiceInstance } from '../instance.js';
import { instanceScheme, matchesFilter, type InstanceFilter, type Resolver, type ResolverListener } from './resolver.js';

/** An instance given by hand: a URL string or fields. */
export type StaticInstance =
  | string
  | { url?: string; address?: string; port?: number; id?: string; tags?: string[]; meta?: Record<string, string> };

/** Turns a hand-written instance into a {@link ServiceInstance}. */
export function toServiceInstance(service: string, input: StaticInstance): ServiceInstance {
  const spec = typeof input === 'string' ? { url: input } : input;
  let address = spec.address;
  let port = spec.port;
  let url: string;
  if (spec.url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(spec.url);
    } catch {
      throw new TypeError(`Invalid static instance URL for ${service}: ${JSON.stringify(spec.url)}`);
    }
    address ??= parsed.hostname.replace(/^\[|\]$/g, '');
    port ??= Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
    url = `${parsed.protocol}//${parsed.host}`;
  } else {
    if (address === undefined || port === undefined) {
      throw new TypeError(`A static instance of ${service} needs a url or an address and a port`);
    }
    url = formatUrl(address, port, instanceScheme({ tags: spec.tags ?? [], meta: spec.meta ?? {} }));
  }
  const id = spec.id ?? url;
  return { key: id, id, service, address: address!, port: port!, url, tags: spec.tags ?? [], meta: spec.meta ?? {} };
}

/** A fixed list, for tests and for users without Consul. `update()` replaces the list. */
export class StaticResolver implements Resolver {
  private listener: ResolverListener | undefined;
  private instances: ServiceInstance[];

  constructor(
    readonly service: string,
    instances: readonly StaticInstance[],
    private readonly filter: InstanceFilter = {},
  ) {
    this.instances = instances.map((i) => toServiceInstance(service, i));
  }

  start(listener: ResolverListener): void {
    this.listener = listener;
    this.publish();
  }

  /** Replaces the list (and notifies). */
  update(instances: readonly StaticInstance[]): void {
    this.instances = instances.map((i) => toServiceInstance(this.service, i));
    this.publish();
  }

  private publish(): void {
    this.listener?.({ type: 'instances', instances: this.instances.filter((i) => matchesFilter(i, this.filter)) });
  }

  close(): void {
    this.listener = undefined;
  }
}
