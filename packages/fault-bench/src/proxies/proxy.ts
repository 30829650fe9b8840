/** A reverse proxy the harness runs in front of the instances for one run. */
import type { Attempt } from '../records.js';

export interface Proxy {
  readonly name: 'nginx' | 'haproxy';
  readonly url: string;
  /** The proxy's main process (its workers are found below it for CPU accounting). */
  readonly pid: number;
  /** Stops the proxy (and its workers), then returns every attempt its access log records. */
  stop(): Promise<Attempt[]>;
}

/** Where a proxy was found, or why not. */
export interface ProxyBinary {
  readonly path: string;
  readonly version: string;
}
