/**
 * The HTTP layer, Consul's `wrap()`: routing (exact paths and `/`-terminated prefixes, like Go's
 * ServeMux), method checks (405 + `Allow`), body limit (413), the headers every answer carries,
 * JSON with `Content-Type: application/json` (indented with `?pretty`), and errors as bare
 * `text/plain` messages. No stack trace ever reaches a client.
 */
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Acl, Authorizer } from './acl.js';
import { requestToken } from './acl.js';
import type { WatchSet } from './blocking.js';
import { parseBlockingParams } from './blocking.js';
import { HttpError, badRequest, internalError } from './http-error.js';
import type { Logger } from './logger.js';

/** Largest request body accepted: 1 MiB (413 beyond). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Bodies up to this size are drained before a 413 so the client reads the answer; larger ones are cut. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/** What a handler answers. */
export type Reply =
  | { kind: 'json'; body: unknown; status?: number; headers?: Record<string, string>; /** `body` already encoded compactly. */ text?: string }
  | { kind: 'empty'; status?: number; headers?: Record<string, string> }
  | { kind: 'raw'; body: Buffer | string; contentType?: string; status?: number; headers?: Record<string, string> };

/** JSON answer (200 unless said otherwise). */
export function json(body: unknown, headers?: Record<string, string>, status?: number): Reply {
  return { kind: 'json', body, ...(headers ? { headers } : {}), ...(status ? { status } : {}) };
}

/** Empty 200 (agent writes): no body, no Content-Type. */
export function empty(headers?: Record<string, string>): Reply {
  return { kind: 'empty', ...(headers ? { headers } : {}) };
}

/** Per-request context handed to handlers. */
export class RequestContext {
  readonly query: URLSearchParams;
  private authorizer: Authorizer | undefined;
  private readonly abort = new AbortController();

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly path: string,
    /** The (decoded) remainder after a prefix route, e.g. the service ID. */
    readonly rest: string,
    query: URLSearchParams,
    private readonly acl: Acl,
    readonly watches: WatchSet,
    readonly datacenter: string,
  ) {
    this.query = query;
    res.on('close', () => {
      if (!res.writableFinished) this.abort.abort();
    });
  }

  /** Aborted when the client goes away (ends parked blocking queries). */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** The request's ACL authorizer. @throws HttpError 403 `ACL not found`. */
  get authz(): Authorizer {
    this.authorizer ??= this.acl.resolve(requestToken(this.req, this.query));
    return this.authorizer;
  }

  /** Reads the body as text. @throws HttpError 413 beyond `limit` bytes. */
  async body(limit = MAX_BODY_BYTES, tooLarge?: (size: number) => string): Promise<string> {
    return (await readBody(this.req, limit, tooLarge)).toString('utf8');
  }

  /** Reads the body as bytes. @throws HttpError 413 beyond `limit` bytes. */
  bodyBytes(limit = MAX_BODY_BYTES, tooLarge?: (size: number) => string): Promise<Buffer> {
    return readBody(this.req, limit, tooLarge);
  }

  /** True if the query has `key` (with any value), like Go's `_, ok := query[key]`. */
  has(key: string): boolean {
    return this.query.has(key);
  }

  /** Rejects `?dc=` naming another datacenter (Consul: 500 `No path to datacenter`). */
  checkDatacenter(): void {
    const dc = this.query.get('dc');
    if (dc !== null && dc !== '' && dc !== this.datacenter) throw internalError('No path to datacenter');
  }

  /**
   * Runs a blocking read: parses `index`/`wait` and consistency, parks until `indexOf()` passes the
   * client's index (or the wait ends), then answers `run()` with the query-meta headers. `touched`,
   * when given, also gates waking once parked (see {@link WatchSet.wait}).
   */
  async blocking(
    indexOf: () => number,
    run: () => { body: unknown; filtered?: boolean; status?: number; text?: string },
    touched?: () => boolean,
  ): Promise<Reply> {
    const params = parseBlockingParams(this.query);
    const consistency = parseConsistency(this.query);
    this.checkDatacenter();
    void this.authz; // an unknown token is a 403 before any blocking
    await this.watches.wait(indexOf, params.minIndex, params.timeoutMs, this.signal, touched);
    const index = Math.max(1, indexOf());
    const result = run();
    const headers: Record<string, string> = {
      'X-Consul-Index': String(index),
      'X-Consul-KnownLeader': 'true',
      'X-Consul-LastContact': '0',
      'X-Consul-Effective-Consistency': consistency,
      'X-Consul-Query-Backend': 'blocking-query',
    };
    if (result.filtered === true && this.authz.tokenProvided) headers['X-Consul-Results-Filtered-By-Acls'] = 'true';
    // `?cached` reads go through the agent cache in Consul; ours is always fresh.
    if (this.query.has('cached')) headers['X-Cache'] = 'MISS';
    const reply = json(result.body, headers, result.status);
    if (result.text !== undefined && reply.kind === 'json') reply.text = result.text;
    return reply;
  }
}

/** `?stale` / `?consistent` / default `leader`. @throws HttpError 400 when both are given. */
export function parseConsistency(query: URLSearchParams): 'leader' | 'stale' | 'consistent' {
  const stale = query.has('stale');
  const consistent = query.has('consistent');
  if (stale && consistent) throw badRequest('Cannot specify ?stale with ?consistent, conflicting semantics.');
  if (stale) return 'stale';
  if (consistent) return 'consistent';
  return 'leader';
}

/** Go's `strconv.ParseBool`; undefined when unparsable. */
export function parseGoBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

function readBody(req: IncomingMessage, limit: number, tooLarge?: (size: number) => string): Promise<Buffer> {
  const message = (size: number): string => (tooLarge ? tooLarge(size) : `Request body too large, max size: ${limit} bytes`);
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_DRAIN_BYTES) {
      reject(new HttpError(413, message(declared), { Connection: 'close' }));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      if (!over) chunks.push(chunk);
      if (size > MAX_DRAIN_BYTES) {
        req.removeAllListeners('data');
        reject(new HttpError(413, message(size), { Connection: 'close' }));
      }
    });
    req.on('end', () => {
      if (over) reject(new HttpError(413, message(size)));
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

/** A route handler. */
export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

interface Route {
  pattern: string;
  prefix: boolean;
  methods: Record<string, Handler>;
}

/** Go's JSON encoder escapes these for HTML safety; so do we. */
export function goJson(value: unknown, pretty: boolean): string {
  const text = pretty ? `${JSON.stringify(value, null, 4)}\n` : JSON.stringify(value);
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `path.Clean` for ServeMux redirects. */
function cleanPath(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  let out = `/${parts.join('/')}`;
  if (p.endsWith('/') && out !== '/') out += '/';
  return out;
}

/** The router plus the wrap logic. */
export class ApiServer {
  private readonly routes: Route[] = [];
  readonly server: http.Server;

  constructor(
    private readonly acl: Acl,
    private readonly watches: WatchSet,
    private readonly datacenter: string,
    private readonly logger: Logger,
  ) {
    this.server = http.createServer({ requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 30_000 }, (req, res) => {
      void this.handle(req, res);
    });
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
      if (error.code === 'ECONNRESET' || !socket.writable) {
        socket.destroy();
        return;
      }
      // Like Go's server: a bare 400 and close. No body for HEAD, whose answer must not have one.
      const raw = (error as { rawPacket?: Buffer }).rawPacket;
      const isHead = raw !== undefined && raw.subarray(0, 5).toString('latin1') === 'HEAD ';
      const text = isHead ? '' : '400 Bad Request';
      socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${text.length}\r\nConnection: close\r\n\r\n${text}`);
    });
  }

  /** Registers `handler` for `method` on `pattern` (a trailing `/` makes it a prefix). */
  on(method: string, pattern: string, handler: Handler): this {
    let route = this.routes.find((r) => r.pattern === pattern);
    if (route === undefined) {
      route = { pattern, prefix: pattern.endsWith('/'), methods: {} };
      this.routes.push(route);
      this.routes.sort((a, b) => b.pattern.length - a.pattern.length);
    }
    route.methods[method] = handler;
    return this;
  }

  private match(path: string): Route | undefined {
    for (const route of this.routes) {
      if (route.prefix ? path.startsWith(route.pattern) : path === route.pattern) return route;
    }
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    try {
      const questionMark = rawUrl.indexOf('?');
      const rawPath = questionMark < 0 ? rawUrl : rawUrl.slice(0, questionMark);
      const rawQuery = questionMark < 0 ? '' : rawUrl.slice(questionMark + 1);
      if (!rawPath.startsWith('/')) throw badRequest('400 Bad Request');
      let path: string;
      try {
        path = decodeURIComponent(rawPath);
      } catch {
        throw badRequest(`invalid URL escape in path`);
      }
      const cleaned = cleanPath(path);
      if (cleaned !== path) {
        res.writeHead(301, { Location: cleaned + (rawQuery === '' ? '' : `?${rawQuery}`), 'Content-Type': 'text/html; charset=utf-8' });
        res.end(`<a href="${cleaned}">Moved Permanently</a>.\n\n`);
        return;
      }
      const query = new URLSearchParams(rawQuery);
      if (!path.startsWith('/v1/')) {
        this.writeNotV1(path, res);
        return;
      }
      res.setHeader('X-Consul-Default-Acl-Policy', this.acl.defaultPolicy);
      const route = this.match(path);
      if (route === undefined) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('Invalid URL path: not a recognized HTTP API endpoint\n');
        return;
      }
      const allowed = ['OPTIONS', ...Object.keys(route.methods)].join(',');
      if (method === 'OPTIONS') {
        res.writeHead(200, { Allow: allowed });
        res.end();
        return;
      }
      const handler = route.methods[method];
      if (handler === undefined) throw new HttpError(405, `method ${method} not allowed`, { Allow: allowed });
      const rest = route.prefix ? path.slice(route.pattern.length) : '';
      const ctx = new RequestContext(req, res, path, rest, query, this.acl, this.watches, this.datacenter);
      const reply = await handler(ctx);
      if (res.destroyed || res.writableEnded) return;
      this.write(res, reply, query.has('pretty'));
    } catch (error) {
      this.writeError(req, res, error);
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      this.logger.debug(`${method} ${rawUrl} ${res.statusCode} (${ms.toFixed(2)}ms) from=${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`);
    }
  }

  private writeNotV1(path: string, res: ServerResponse): void {
    if (path === '/') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Consul Agent: UI disabled. To enable, set ui_config.enabled=true in the agent configuration and restart.');
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
    res.end('404 page not found\n');
  }

  private write(res: ServerResponse, reply: Reply, pretty: boolean): void {
    for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
    res.statusCode = reply.status ?? 200;
    if (reply.kind === 'empty') {
      res.end();
    } else if (reply.kind === 'json') {
      const text = !pretty && reply.text !== undefined ? reply.text : goJson(reply.body, pretty);
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Content-Length', Buffer.byteLength(text));
      res.end(text);
    } else {
      if (reply.contentType !== undefined) res.setHeader('Content-Type', reply.contentType);
      res.end(reply.body);
    }
  }

  private writeError(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    let status = 500;
    let message: string;
    let headers: Record<string, string> = {};
    if (error instanceof HttpError) {
      status = error.statusCode;
      message = error.message;
      headers = error.headers;
    } else {
      message = error instanceof Error ? error.message : String(error);
      this.logger.error(`${req.method ?? '?'} ${req.url ?? '?'}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(message));
    res.statusCode = status;
    res.end(message);
    if (headers.Connection === 'close') res.on('finish', () => req.socket.destroySoon());
  }
}
