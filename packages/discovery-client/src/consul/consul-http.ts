import http from 'node:http';
import https from 'node:https';
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
  method: 'GET' | 'PUT';
  /** Path with query, e.g. `/v1/health/service/ratings?passing=1`. */
  path: string;
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

  request(request: ConsulRequestOptions): Promise<ConsulResponse> {
    const { options } = this;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.token) headers['x-consul-token'] = options.token;
    let payload: string | undefined;
    if (request.body !== undefined) {
      payload = JSON.stringify(request.body);
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    } else if (request.method === 'PUT') {
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
          agent: this.agent,
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
      req.on('error', (error) => reject(wrap(error, options.baseUrl)));
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function wrap(error: Error, baseUrl: string): RegistryUnavailableError {
  const code = (error as { code?: string }).code;
  return new RegistryUnavailableError(`consul at ${baseUrl} unreachable${code ? ` (${code})` : `: ${error.message}`}`, {
    cause: error,
  });
}

/** An HTTP error answer from Consul as a {@link RegistryUnavailableError}. */
export function consulStatusError(response: ConsulResponse, what: string): RegistryUnavailableError {
  const text = response.body.trim().slice(0, 200);
  return new RegistryUnavailableError(`consul answered ${response.statusCode} to ${what}${text ? `: ${text}` : ''}`, {
    statusCode: response.statusCode,
  });
}
