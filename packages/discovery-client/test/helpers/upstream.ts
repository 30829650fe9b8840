import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local HTTP instance whose behaviour the test switches. */
export class Upstream {
  readonly server: http.Server;
  /**
   * `reset-reused`: answers the first request on a connection, resets the connection when a second arrives on it.
   * `hold`: answers 200 only when the test calls {@link release}.
   * `busy`: answers 503 with `Retry-After: 30` (back-pressure); `429`: 429 with `Retry-After: 30`.
   */
  mode: 'ok' | 'hang' | 'hold' | '500' | '404' | 'reset-reused' | 'busy' | '429' = 'ok';
  /** Connections reset by `reset-reused`. */
  resets = 0;
  private readonly served = new WeakSet<object>();
  hits = 0;
  /** Requests whose socket closed before an answer (aborted by the client). */
  aborted = 0;
  lastBody = '';
  lastHeaders: http.IncomingHttpHeaders = {};
  /** Paths of the requests received, in order of arrival. */
  readonly paths: string[] = [];
  /** Requests received and not yet answered (or closed by the client). */
  inFlight = 0;
  /** The most requests ever in flight at once. */
  maxInFlight = 0;
  /** The answers of the requests `hold` keeps waiting, oldest first. */
  private readonly held: Array<() => void> = [];
  port = 0;

  constructor(readonly name: string) {
    this.server = http.createServer((req, res) => {
      if (this.mode === 'reset-reused') {
        if (this.served.has(req.socket)) {
          this.resets++;
          req.socket.resetAndDestroy();
          return;
        }
        this.served.add(req.socket);
      }
      this.hits++;
      this.paths.push(req.url ?? '');
      this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
      res.on('close', () => this.inFlight--);
      this.lastHeaders = req.headers;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.lastBody = Buffer.concat(chunks).toString();
        if (this.mode === 'hang') {
          res.on('close', () => {
            if (!res.writableEnded) this.aborted++;
          });
          return;
        }
        const status = this.mode === '500' ? 500 : this.mode === '404' ? 404 : this.mode === 'busy' ? 503 : this.mode === '429' ? 429 : 200;
        const answer = () => {
          res.writeHead(status, { 'content-type': 'application/json', ...(status === 503 || status === 429 ? { 'retry-after': '30' } : {}) });
          res.end(JSON.stringify({ from: this.name, path: req.url, method: req.method }));
        };
        if (this.mode === 'hold') this.held.push(answer);
        else answer();
      });
    });
  }

  /** Requests `hold` keeps waiting now. */
  get holding(): number {
    return this.held.length;
  }

  /** Answers the `count` oldest requests `hold` keeps waiting (all by default); returns how many it answered. */
  release(count = Infinity): number {
    const answers = this.held.splice(0, count);
    for (const answer of answers) answer();
    return answers.length;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
