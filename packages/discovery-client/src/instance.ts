import { isIPv6 } from 'node:net';

/** One instance of a service, as a resolver hands it over. */
export interface ServiceInstance {
  /** Unique key of the instance (Consul: `<node>/<service id>`; static: the id given or the URL). */
  readonly key: string;
  /** Service instance id (Consul `Service.ID`). */
  readonly id: string;
  /** Service name. */
  readonly service: string;
  readonly address: string;
  readonly port: number;
  /** Base URL, e.g. `http://127.0.0.1:8001`. */
  readonly url: string;
  readonly tags: readonly string[];
  readonly meta: Readonly<Record<string, string>>;
  /** Consul node name, when known. */
  readonly node?: string | undefined;
}

/** How events, errors and logs name an instance. */
export interface InstanceRef {
  /** Stable number within its service while the instance lives: "instance 2". */
  readonly number: number;
  readonly id: string;
  readonly url: string;
}

/** `http://host:port`, an IPv6 literal bracketed (`http://[::1]:8001`): the one rule for an address in a URL. */
export function formatUrl(address: string, port: number, scheme = 'http'): string {
  return `${scheme}://${isIPv6(address) ? `[${address}]` : address}:${port}`;
}

/** An instance as events carry it. */
export interface InstanceEventInfo extends InstanceRef {
  readonly service: string;
}
