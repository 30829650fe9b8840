import { Pool, type Dispatcher } from 'undici';
import type { Transport, TransportRequest, TransportResponse } from './transport.js';

/** Options of {@link UndiciTransport}. */
export interface UndiciTransportOptions {
  /**
   * Connections per instance pool.
   * @default 32
   */
  connections?: number;
  /**
   * Creates the dispatcher for one instance origin (to share or tune pools).
   * @default `new Pool(origin, { connections })`
   */
  pool?: (origin: string) => Dispatcher;
}

export const DEFAULT_UNDICI_CONNECTIONS = 32;

/** undici 7 with one `Pool` per instance origin; pools of instances that left are closed by `release()`. */
export class UndiciTransport implements Transport {
  readonly name = 'undici';
  private readonly pools = new Map<string, Dispatcher>();
  private readonly connections: number;
  private readonly createPool: ((origin: string) => Dispatcher) | undefined;

  constructor(options: UndiciTransportOptions = {}) {
    this.connections = options.connections ?? DEFAULT_UNDICI_CONNECTIONS;
    if (!Number.isInteger(this.connections) || this.connections < 1) {
      throw new TypeError(`Expected \`connections\` to be an integer >= 1, got ${String(options.connections)}`);
    }
    this.createPool = options.pool;
  }

  private pool(origin: string): Dispatcher {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = this.createPool ? this.createPool(origin) : new Pool(origin, { connections: this.connections });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  async request(request: TransportRequest): Promise<TransportResponse> {
    const response = await this.pool(request.origin).request({
      method: request.method,
      path: request.path,
      headers: request.headers,
      body: request.body ?? null,
      // an EventEmitter signal: undici listens for 'abort' and destroys the request
      signal: request.signal,
    });
    const body = await response.body.text();
    return { statusCode: response.statusCode, headers: response.headers, body };
  }

  release(origin: string): void {
    const pool = this.pools.get(origin);
    if (!pool) return;
    this.pools.delete(origin);
    void pool.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.destroy().catch(() => undefined)));
  }
}
