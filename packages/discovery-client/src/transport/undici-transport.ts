import type { Socket } from 'node:net';
import { buildConnector, errors, Pool, type Dispatcher } from 'undici';
import { headersWithRequestTimeout } from '../deadline/request-timeout-header.js';
import type { ResolvedTlsOptions } from './tls-options.js';
import { REUSED_SOCKET, type Transport, type TransportRequest, type TransportResponse, type TransportSignal } from './transport.js';

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
  /**
   * TLS options for `https://` origins (`ca`, `cert`, `key`, `servername`, `rejectUnauthorized`), handed to
   * undici's `buildConnector` (Node's `tls.connect()` options). Not used with `pool`.
   * @default Node's defaults (bundled CAs, verification on, no client certificate)
   */
  tls?: ResolvedTlsOptions | undefined;
}

export const DEFAULT_UNDICI_CONNECTIONS = 32;

const EMPTY_BODY = Buffer.alloc(0);

/**
 * One request on undici's `dispatch` handler API: collects the body chunks into one buffer (no response
 * stream) and aborts the request through its controller when the attempt's signal fires.
 */
class UndiciExchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private statusCode = 0;
  private headers: TransportResponse['headers'] = {};
  private chunks: Buffer[] = [];
  private length = 0;
  private settled = false;
  private readonly onAbort = (): void => {
    // The attempt settles now whatever undici reports later: a request still queued for a connection is
    // dropped by onRequestStart before it is written, one in flight has its socket destroyed.
    const reason = abortReason(this.signal);
    this.controller?.abort(reason);
    if (this.settle()) this.reject(reason);
  };

  constructor(
    private readonly signal: TransportSignal,
    private readonly resolve: (response: TransportResponse) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    signal.onabort = this.onAbort;
  }

  /** Called again when undici retries the request on a new socket; aborts at once if the attempt already ended. */
  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.signal.aborted) controller.abort(abortReason(this.signal));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: TransportResponse['headers'],
  ): void {
    // 1xx informational responses precede the real one
    if (statusCode < 200) return;
    this.statusCode = statusCode;
    this.headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  onResponseEnd(): void {
    if (!this.settle()) return;
    const length = this.length;
    const raw = length === 0 ? EMPTY_BODY : this.chunks.length === 1 ? (this.chunks[0] ?? EMPTY_BODY) : Buffer.concat(this.chunks, length);
    this.resolve({ statusCode: this.statusCode, headers: this.headers, body: decodeBody(raw), rawBody: raw });
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    if (!this.settle()) return;
    // the reused-socket mark holds only for a request that got no response byte
    if (this.statusCode !== 0 && (error as { [REUSED_SOCKET]?: boolean })[REUSED_SOCKET]) {
      (error as { [REUSED_SOCKET]?: boolean })[REUSED_SOCKET] = false;
    }
    this.reject(error);
  }

  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    if (this.signal.onabort === this.onAbort) this.signal.onabort = null;
    return true;
  }
}

function abortReason(signal: TransportSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new errors.RequestAbortedError();
}

/** UTF-8 text of the body, without a leading byte-order mark (as undici's `body.text()`). */
function decodeBody(buffer: Buffer): string {
  const length = buffer.length;
  if (length === 0) return '';
  const start = length > 2 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
  return buffer.toString('utf8', start);
}

/**
 * undici's connector, with one addition: an error on a socket that had already carried a response is marked
 * {@link REUSED_SOCKET}, so a reset of an idle keep-alive socket the server closed as we reused it (Node's
 * documented race) is told apart from a reset of a request the instance received.
 */
function markingConnector(tls: ResolvedTlsOptions | undefined): buildConnector.connector {
  const connect = buildConnector(tls ? { ...tls } : {});
  return (options, callback) =>
    connect(options, (error, socket) => {
      if (socket) {
        const raw = socket as Socket;
        raw.on('error', (socketError: Error) => {
          (socketError as { [REUSED_SOCKET]?: boolean })[REUSED_SOCKET] = raw.bytesRead > 0;
        });
      }
      (callback as (error: Error | null, socket: unknown) => void)(error, socket);
    });
}

/**
 * undici 7 with one `Pool` per instance origin; pools of instances that left are closed by `release()`.
 * Requests go through `Dispatcher.dispatch` with a small handler rather than `request()`, which saves the
 * response stream and the abort-signal bookkeeping on the request and on that stream.
 */
export class UndiciTransport implements Transport {
  readonly name = 'undici';
  private readonly pools = new Map<string, Dispatcher>();
  private readonly connections: number;
  private readonly createPool: ((origin: string) => Dispatcher) | undefined;
  private readonly tls: ResolvedTlsOptions | undefined;

  constructor(options: UndiciTransportOptions = {}) {
    this.connections = options.connections ?? DEFAULT_UNDICI_CONNECTIONS;
    if (!Number.isInteger(this.connections) || this.connections < 1) {
      throw new TypeError(`Expected \`connections\` to be an integer >= 1, got ${String(options.connections)}`);
    }
    this.createPool = options.pool;
    this.tls = options.tls;
  }

  private pool(origin: string): Dispatcher {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = this.createPool ? this.createPool(origin) : new Pool(origin, { connections: this.connections, connect: markingConnector(this.tls) });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  request(request: TransportRequest): Promise<TransportResponse> {
    const { signal } = request;
    if (signal.aborted) return Promise.reject(abortReason(signal));
    let pool: Dispatcher;
    try {
      pool = this.pool(request.origin);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<TransportResponse>((resolve, reject) => {
      // dispatch reports invalid options and closed pools through onResponseError, not by throwing
      // the deadline header goes into a list of our own: request.headers is shared by every attempt of the call
      const { timeoutMs } = request;
      const headers = timeoutMs === undefined ? request.headers : headersWithRequestTimeout(request.headers, timeoutMs);
      pool.dispatch(
        { method: request.method, path: request.path, headers, body: request.body ?? null },
        new UndiciExchange(signal, resolve, reject),
      );
    });
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
