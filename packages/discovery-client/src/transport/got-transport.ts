import http from 'node:http';
import https from 'node:https';
import got, { type Got } from 'got';
import type { Transport, TransportRequest, TransportResponse } from './transport.js';

/** Options of {@link GotTransport}. */
export interface GotTransportOptions {
  /**
   * Agents used for every request.
   * @default keep-alive `http.Agent` / `https.Agent` owned (and destroyed on close) by the transport
   */
  agent?: { http?: http.Agent; https?: https.Agent };
}

/** got 14 with a keep-alive agent. got's own retries and timeouts are off: the service client owns them. */
export class GotTransport implements Transport {
  readonly name = 'got';
  private readonly got: Got;
  private readonly ownedAgents: Array<http.Agent | https.Agent> = [];

  constructor(options: GotTransportOptions = {}) {
    const httpAgent = options.agent?.http ?? this.own(new http.Agent({ keepAlive: true }));
    const httpsAgent = options.agent?.https ?? this.own(new https.Agent({ keepAlive: true }));
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
    const response = await this.got(request.origin + request.path, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: request.signal.toAbortSignal(),
    });
    return { statusCode: response.statusCode, headers: response.headers, body: response.body };
  }

  async close(): Promise<void> {
    for (const agent of this.ownedAgents) agent.destroy();
  }
}
