import http from 'node:http';
import https from 'node:https';
import { RegistryAccessDeniedError } from '../errors/registry-access-denied-error.js';
import { RegistryUnavailableError } from '../errors/registry-unavailable-error.js';
import type { ResolvedConsulOptions } from './consul-options.js';

/** A Consul answer: status, body text and the headers a watch needs. */
export interface ConsulResponse {
  statusCode: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** Options of one Consul request. */
export interface ConsulRequestOptions {
  method: 'GET' | 'PUT' | 'DELETE';
  /** Path with query, e.g. `/v1/health/service/ratings?passing=1`. */
  path: string;
  /** Sent as JSON; a string is sent as it is (a KV value). */
  body?: unknown;
  /** Socket inactivity limit, ms. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * A minimal Consul HTTP client over node:http(s): token header, TLS options, keep-alive. Transport failures
 * and timeouts reject with {@link RegistryUnavailableError}; any HTTP status resolves.
 */
export class ConsulHttp {
  private readonly agent: http.Agent;

  constructor(readonly options: ResolvedConsulOptions) {
    this.agent = options.secure
      ? new https.Agent({
          keepAlive: true,
          ...(options.ca === undefined ? {} : { ca: options.ca }),
          rejectUnauthorized: options.rejectUnauthorized,
        })
      : new http.Agent({ keepAlive: true });
  }

  /**
   * One request. A request that went out on a reused keep-alive socket and was reset before any answer
   * byte (the agent closed the idle connection as we reused it: Node's documented race) is sent once more on
   * a fresh connection.
   */
  async request(request: ConsulRequestOptions): Promise<ConsulResponse> {
    try {
      return await this.send(request, false);
    } catch (error) {
      if (!(error instanceof StaleSocketError)) throw error;
      return this.send(request, true);
    }
  }

  private send(request: ConsulRequestOptions, fresh: boolean): Promise<ConsulResponse> {
    const { options } = this;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.token) headers['x-consul-token'] = options.token;
    let payload: string | undefined;
    if (request.body !== undefined) {
      const raw = typeof request.body === 'string';
      payload = raw ? (request.body as string) : JSON.stringify(request.body);
      headers['content-type'] = raw ? 'text/plain; charset=utf-8' : 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    } else if (request.method !== 'GET') {
      headers['content-length'] = '0';
    }
    const send = options.secure ? https.request : http.request;
    return new Promise<ConsulResponse>((resolve, reject) => {
      const req = send(
        {
          host: options.host,
          port: options.port,
          method: request.method,
          path: request.path,
          headers,
          // a fresh connection when retrying after a stale one: no agent, so no pooled socket
          agent: fresh ? false : this.agent,
          ...(request.signal ? { signal: request.signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ statusCode: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }),
          );
          res.on('error', (error) => reject(wrap(error, options.baseUrl)));
        },
      );
      req.setTimeout(request.timeoutMs, () => {
        req.destroy(Object.assign(new Error(`no answer within ${request.timeoutMs}ms`), { code: 'ETIMEDOUT' }));
      });
      let answered = false;
      req.once('response', () => (answered = true));
      req.on('error', (error) => {
        const code = (error as { code?: string }).code;
        if (!fresh && !answered && req.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE')) {
          reject(new StaleSocketError(error));
        } else {
          reject(wrap(error, options.baseUrl));
        }
      });
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** A reused socket reset before any answer byte: the request is sent again on a fresh connection. */
class StaleSocketError extends Error {
  constructor(readonly original: Error) {
    super(original.message);
  }
}

function wrap(error: Error, baseUrl: string): RegistryUnavailableError {
  const code = (error as { code?: string }).code;
  return new RegistryUnavailableError(`consul at ${baseUrl} unreachable${code ? ` (${code})` : `: ${error.message}`}`, {
    cause: error,
  });
}

/**
 * An HTTP error answer from Consul as a {@link RegistryUnavailableError}; a 403 (Consul's ACL errors, `ACL not
 * found` or `Permission denied: ...`) as its {@link RegistryAccessDeniedError}.
 */
export function consulStatusError(response: ConsulResponse, what: string): RegistryUnavailableError {
  const text = response.body.trim().slice(0, 200);
  if (response.statusCode === 403) {
    return new RegistryAccessDeniedError(`consul refused the ACL token (403) to ${what}${text ? `: ${text}` : ''}`, 'forbidden', { statusCode: 403 });
  }
  return new RegistryUnavailableError(`consul answered ${response.statusCode} to ${what}${text ? `: ${text}` : ''}`, {
    statusCode: response.statusCode,
  });
}
