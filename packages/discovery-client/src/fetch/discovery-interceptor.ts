import { STATUS_CODES, type IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { CANCELLABLE_REQUEST, type CallCancel } from '../call-cancel.js';
import { ServiceHostError } from '../errors/service-host-error.js';
import { HTTP_METHODS } from '../options/checker.js';
import type { RequestOptions } from '../request-options.js';
import type { ServiceResponse } from '../response.js';
import type { ServiceOptions } from '../service-options.js';
import type { HttpMethod } from '../transport/transport.js';
import { ServiceDispatchController } from './dispatch-controller.js';
import type { ResolvedFetchInterceptorOptions } from './fetch-options.js';
import { readRequestBody } from './request-body.js';
import { parseServiceHost, type ServiceHost } from './service-host.js';

/** A service's client as the interceptor calls it: `ServiceClient`'s internal entry (call-cancel.ts). */
export interface CancellableService {
  [CANCELLABLE_REQUEST](options: RequestOptions, cancel: CallCancel): Promise<ServiceResponse>;
}

/** What the interceptor calls services through: the `DiscoveryClient`. */
export interface ServiceSource {
  service(name: string, options?: ServiceOptions): CancellableService;
  /** The datacenter the client asks Consul about (`consul.dc`; undefined: the agent's own). */
  readonly datacenter: string | undefined;
}

/** Request headers the library's transport sets itself (the instance's host, the buffered body's length). */
const DROPPED_HEADERS: ReadonlySet<string> = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive']);

/** The dispatched headers (an object, a flat `[name, value, ...]` list or pairs) as the library takes them. */
function headersOf(headers: Dispatcher.DispatchOptions['headers']): Record<string, string> {
  const result: Record<string, string> = {};
  const add = (name: string, value: unknown): void => {
    const key = name.toLowerCase();
    if (value === undefined || DROPPED_HEADERS.has(key)) return;
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    result[key] = result[key] === undefined ? text : `${result[key]}, ${text}`;
  };
  if (headers === null || headers === undefined) return result;
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) for (const [name, value] of headers as unknown as Array<[string, string]>) add(name, value);
    else for (let i = 0; i + 1 < headers.length; i += 2) add(String(headers[i]), String(headers[i + 1]));
  } else if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [name, value] of headers as Iterable<[string, string]>) add(name, value);
  } else {
    for (const [name, value] of Object.entries(headers)) add(name, value);
  }
  return result;
}

function responseHeaders(response: ServiceResponse): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) headers[name] = value;
  return headers;
}

/**
 * The answer as fetch's `Response` gets it: the instance's status, headers and body bytes; a `fallback`'s value
 * as a 200 JSON body.
 */
function answerOf(response: ServiceResponse): { statusCode: number; headers: IncomingHttpHeaders; body: Buffer } {
  if (response.fallback) {
    const body = Buffer.from(JSON.stringify(response.fallback.value ?? null));
    return { statusCode: 200, headers: { 'content-type': 'application/json', 'content-length': String(body.length) }, body };
  }
  return { statusCode: response.statusCode, headers: responseHeaders(response), body: response.rawBody ?? Buffer.from(response.body) };
}

/**
 * The undici interceptor behind `discovery.interceptor()` and `discovery.dispatcher()`: a request to a Consul
 * service host (see `parseServiceHost`) is one call of the library (resolve, balance, breakers, retries,
 * outlier detection, as `service.request()`), answered to undici's handler as the instance's response whatever
 * its status; the handler gets an error only when the call itself fails (no healthy instance, every attempt's
 * transport failed, the deadline passed: the library's typed error, fetch's `cause`). Any other host goes to
 * the dispatcher beneath, untouched.
 */
export function discoveryInterceptor(source: ServiceSource, options: ResolvedFetchInterceptorOptions): Dispatcher.DispatcherComposeInterceptor {
  // an origin is parsed, and its service client found, once: not on every request
  const origins = new Map<string, ServiceTarget | null>();
  return (dispatch) => (opts, handler) => {
    let target: ServiceTarget | null | undefined = null;
    try {
      if (opts.origin !== undefined) {
        const origin = typeof opts.origin === 'string' ? opts.origin : opts.origin.origin;
        target = origins.get(origin);
        if (target === undefined) {
          const hostname = typeof opts.origin === 'string' ? new URL(opts.origin).hostname : opts.origin.hostname;
          const host = parseServiceHost(hostname, options.domain);
          target = host === undefined ? null : { host, hostname, client: undefined };
          if (origins.size < MAX_ORIGINS_KEPT) origins.set(origin, target);
        }
      }
    } catch (error) {
      failAtOnce(handler, error as Error);
      return true;
    }
    if (target === null) return dispatch(opts, handler);
    void callService(source, options, target, opts, handler);
    return true;
  };
}

/** Origins whose parse is kept (any other host is parsed on each request past this many). */
const MAX_ORIGINS_KEPT = 1024;

/** A Consul service host, and the service client that calls it once one was made. */
interface ServiceTarget {
  readonly host: ServiceHost;
  readonly hostname: string;
  client: CancellableService | undefined;
}

function failAtOnce(handler: Dispatcher.DispatchHandler, error: Error): void {
  const controller = new ServiceDispatchController();
  handler.onRequestStart?.(controller, {});
  handler.onResponseError?.(controller, error);
}

async function callService(
  source: ServiceSource,
  options: ResolvedFetchInterceptorOptions,
  target: ServiceTarget,
  opts: Dispatcher.DispatchOptions,
  handler: Dispatcher.DispatchHandler,
): Promise<void> {
  const { host, hostname } = target;
  const controller = new ServiceDispatchController();
  try {
    handler.onRequestStart?.(controller, {});
    if (controller.aborted) return;
    if (opts.upgrade) throw new ServiceHostError(hostname, 'upgrade (WebSocket) requests are not balanced');
    if (host.datacenter !== undefined && host.datacenter !== source.datacenter?.toLowerCase()) {
      throw new ServiceHostError(hostname, `this client asks Consul about datacenter ${source.datacenter ?? "(the agent's own)"} (its consul.dc option)`);
    }
    const method = opts.method.toUpperCase();
    if (!HTTP_METHODS.has(method)) throw new TypeError(`Expected an HTTP method the library sends (${[...HTTP_METHODS].join(', ')}), got ${opts.method}`);
    const serviceOptions = options.services[host.service];
    const client = (target.client ??= source.service(
      host.service,
      host.tag === undefined ? serviceOptions : { ...serviceOptions, tags: [...(serviceOptions?.tags ?? []), host.tag] },
    ));
    // a GET has no body to wait for
    const body = opts.body === undefined || opts.body === null ? undefined : await readRequestBody(opts.body);
    const call = { method: method as HttpMethod, path: opts.path, headers: headersOf(opts.headers), throwHttpErrors: false };
    const response = await client[CANCELLABLE_REQUEST](body === undefined ? call : { ...call, body }, controller);
    if (controller.aborted) return;
    const answer = answerOf(response);
    handler.onResponseStart?.(controller, answer.statusCode, answer.headers, STATUS_CODES[answer.statusCode] ?? '');
    if (answer.body.length > 0 && !controller.aborted) handler.onResponseData?.(controller, answer.body);
    if (controller.paused) await controller.flowing();
    if (!controller.aborted) handler.onResponseEnd?.(controller, {});
  } catch (error) {
    // an abort was reported by whoever aborted (fetch rejects with its own AbortError)
    if (!controller.aborted) handler.onResponseError?.(controller, error as Error);
  }
}
