import http from 'node:http';
import https from 'node:https';
import got, { RequestError, type Got, type OptionsOfTextResponseBody } from 'got';
import { headersWithRequestTimeout } from '../deadline/request-timeout-header.js';
import type { ResolvedTlsOptions } from './tls-options.js';
import { REUSED_SOCKET, type Transport, type TransportRequest, type TransportResponse } from './transport.js';

/** Options of {@link GotTransport}. */
export interface GotTransportOptions {
  /**
   * Agents used for every request.
   * @default keep-alive `http.Agent` / `https.Agent` owned (and destroyed on close) by the transport
   */
  agent?: { http?: http.Agent; https?: https.Agent };
  /**
   * TLS options for `https://` origins (`ca`, `cert`, `key`, `servername`, `rejectUnauthorized`), given to the
   * transport's own `https.Agent` (Node's `tls.connect()` options). Not used with `agent.https`.
   * @default Node's defaults (bundled CAs, verification on, no client certificate)
   */
  tls?: ResolvedTlsOptions | undefined;
}

/** got 14 with a keep-alive agent. got's own retries and timeouts are off: the service client owns them. */
export class GotTransport implements Transport {
  readonly name = 'got';
  private readonly got: Got;
  private readonly ownedAgents: Array<http.Agent | https.Agent> = [];

  constructor(options: GotTransportOptions = {}) {
    const httpAgent = options.agent?.http ?? this.own(new http.Agent({ keepAlive: true }));
    const httpsAgent = options.agent?.https ?? this.own(new https.Agent({ keepAlive: true, ...options.tls }));
    this.got = got.extend({
      agent: { http: httpAgent, https: httpsAgent },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      decompress: true,
    });
  }

  private own<T extends http.Agent | https.Agent>(agent: T): T {
    this.ownedAgents.push(agent);
    return agent;
  }

  async request(request: TransportRequest): Promise<TransportResponse> {
    // cancelled before it went out: nothing is sent
    if (request.signal.aborted) throw request.signal.reason;
    // only the options that differ from got's defaults: each one costs got a normalisation step
    const options: OptionsOfTextResponseBody = {};
    if (request.method !== 'GET') options.method = request.method;
    if (request.timeoutMs !== undefined) {
      // the deadline header goes into an object of our own: request.headers is shared by every attempt of the call
      const list = headersWithRequestTimeout(request.headers, request.timeoutMs);
      const headers: Record<string, string> = {};
      for (let i = 0; i < list.length; i += 2) headers[list[i]!] = list[i + 1]!;
      options.headers = headers;
    } else {
      for (const _ in request.headers) {
        options.headers = request.headers;
        break;
      }
    }
    if (request.body !== undefined) options.body = request.body;
    const pending = this.got(request.origin + request.path, options);
    // got's cancel() destroys the request; cheaper than handing got an AbortSignal per call
    const cancel = (): void => pending.cancel();
    request.signal.once('abort', cancel);
    try {
      const response = await pending;
      return { statusCode: response.statusCode, headers: response.headers, body: response.body };
    } catch (error) {
      // Node's idle-socket race: a reused keep-alive socket reset before any response byte
      if (error instanceof RequestError && error.response === undefined && error.request?.reusedSocket === true) {
        (error as { [REUSED_SOCKET]?: boolean })[REUSED_SOCKET] = true;
      }
      throw error;
    } finally {
      request.signal.removeListener('abort', cancel);
    }
  }

  async close(): Promise<void> {
    for (const agent of this.ownedAgents) agent.destroy();
  }
}
