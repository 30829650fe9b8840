/** A reverse proxy the harness runs in front of the instances for one run. */
import type { Attempt } from '../records.js';

/** The proxies the harness knows: each is one binary from Debian, started with a config it writes. */
export type ProxyKind = 'nginx' | 'haproxy' | 'caddy';

export interface Proxy {
  /** Its binary, also the label of its CPU figure. */
  readonly name: ProxyKind;
  readonly url: string;
  /** The proxy's main process (its workers are found below it for CPU accounting). */
  readonly pid: number;
  /** Stops the proxy (and its workers), then returns every attempt its access log records. */
  stop(): Promise<Attempt[]>;
}

/** A proxy of a fault run: it learns the schedule's start (epoch ms) to put its log's times on the schedule. */
export interface RunProxy extends Proxy {
  startEpoch(ms: number): void;
}

/** Where a proxy was found, or why not. */
export interface ProxyBinary {
  readonly path: string;
  readonly version: string;
}
