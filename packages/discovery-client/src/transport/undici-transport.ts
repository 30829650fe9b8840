import { Pool } from 'undici';
import type { Transport, TransportRequest, TransportResponse } from './transport.js';

/** Options of {@link UndiciTransport}. */
export interface UndiciTransportOptions {
  /**
   * Connections per instance pool.
   * @default 32
   */
  connections?: number;
}

export const DEFAULT_UNDICI_CONNECTIONS = 32;

/** undici 7 with one `Pool` per instance origin; pools of instances that left are closed by `release()`. */
export class UndiciTransport implements Transport {
  readonly name = 'undici';
  private readonly pools = new Map<string, Pool>();
  private readonly connections: number;

  constructor(options: UndiciTransportOptions = {}) {
    this.connections = options.connections ?? DEFAULT_UNDICI_CONNECTIONS;
  }

  private pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, { connections: this.connections });
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
