import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One entry of a fake health answer. */
export function entry(id: string, port: number, opts: { address?: string; nodeAddress?: string; tags?: string[]; meta?: Record<string, string> | null } = {}) {
  return {
    Node: { Node: 'node1', Address: opts.nodeAddress ?? '127.0.0.1' },
    Service: { ID: id, Service: id.replace(/-\d+$/, ''), Address: opts.address ?? '', Port: port, Tags: opts.tags ?? [], Meta: opts.meta ?? {} },
    Checks: [],
  };
}

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Handler = (req: RecordedRequest, res: http.ServerResponse) => void;

/**
 * A tiny server answering like Consul, scripted by the test: `respond()` queues handlers for health queries;
 * when none is queued, blocking queries hang until `release()` or close.
 */
export class FakeConsul {
  readonly requests: RecordedRequest[] = [];
  private readonly server: http.Server;
  private readonly queue: Handler[] = [];
  private readonly hanging: Array<() => void> = [];
  /** Handler for non-health paths (agent endpoints). */
  other: Handler = (_req, res) => {
    res.writeHead(200);
    res.end();
  };

  constructor() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const recorded = { method: req.method ?? '', url: new URL(req.url ?? '/', 'http://x'), headers: req.headers, body: Buffer.concat(chunks).toString() };
        this.requests.push(recorded);
        if (!recorded.url.pathname.startsWith('/v1/health/service/')) return this.other(recorded, res);
        const next = this.queue.shift();
        if (next) return next(recorded, res);
        this.hanging.push(() => {
          res.writeHead(200, { 'content-type': 'application/json', 'x-consul-index': recorded.url.searchParams.get('index') ?? '1' });
          res.end('[]');
        });
      });
    });
  }

  async start(port = 0): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  /** Queues a JSON answer with an index. */
  respond(index: number | undefined, body: unknown, status = 200, delayMs = 0): void {
    this.queue.push((_req, res) => setTimeout(() => {
      const headers: Record<string, string> = { 'content-type': status === 200 ? 'application/json' : 'text/plain' };
      if (index !== undefined) headers['x-consul-index'] = String(index);
      res.writeHead(status, headers);
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    }, delayMs));
  }

  /** Queues a dropped connection. */
  drop(): void {
    this.queue.push((_req, res) => res.socket?.destroy());
  }

  healthRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.url.pathname.startsWith('/v1/health/service/'));
  }

  async close(): Promise<void> {
    for (const release of this.hanging.splice(0)) release();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
