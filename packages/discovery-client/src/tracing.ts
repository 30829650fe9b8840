import { createRequire } from 'node:module';
import type * as Api from '@opentelemetry/api';
import type { AttemptTrace } from './attempt/attempt.js';
import type { AttemptOutcome } from './attempt/outcome.js';
import { MissingPeerDependencyError } from './errors/missing-peer-dependency-error.js';
import type { InstanceRef } from './instance.js';
import { loadPeerDependency } from './peer-dependency.js';
import type { ServiceResponse } from './response.js';

/** The instrumentation scope: the tracer's name and version (OpenTelemetry's `trace.getTracer(name, version)`). */
export const TRACER_NAME = 'discovery-client';
const TRACER_VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/** Attribute names: OpenTelemetry's HTTP client semantic conventions (stable), and ours, in our own namespace. */
const ATTR = Object.freeze({
  method: 'http.request.method',
  statusCode: 'http.response.status_code',
  resendCount: 'http.request.resend_count',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  urlFull: 'url.full',
  errorType: 'error.type',
  service: 'discovery.service.name',
  instanceId: 'discovery.instance.id',
});

type ApiModule = typeof Api;
/** A `ProxyTracerProvider` (the API's global before and after an SDK registers) has this; other providers may not. */
type MaybeProxyProvider = Api.TracerProvider & { getDelegateTracer?(name: string, version?: string): Api.Tracer | undefined };

/** undefined: not tried yet; null: not installed. */
let loaded: ApiModule | null | undefined;

function loadApi(): ApiModule | undefined {
  if (loaded === undefined) {
    try {
      loaded = loadPeerDependency<ApiModule>('@opentelemetry/api', 'tracing');
    } catch (error) {
      if (!(error instanceof MissingPeerDependencyError)) throw error;
      loaded = null;
    }
  }
  return loaded ?? undefined;
}

/** `error.type` of an outcome that is an error, per the HTTP conventions: the status code, else a short reason. */
function errorTypeOf(outcome: AttemptOutcome): { status?: number; errorType?: string } {
  switch (outcome.type) {
    case 'response':
      return { status: outcome.response.statusCode };
    case 'callerError':
      return { status: outcome.response.statusCode, errorType: String(outcome.response.statusCode) };
    case 'instanceFailure': {
      const status = (outcome.error as { statusCode?: number }).statusCode;
      return status === undefined ? { errorType: outcome.reason } : { status, errorType: String(status) };
    }
    case 'notSent':
      return { errorType: outcome.reason };
    default:
      // hedgeLost: another attempt answered first, this one was cancelled: no error; rejected is never traced
      return {};
  }
}

/** The span of one attempt and the headers that carry its context (`traceparent`) to the instance. */
class AttemptSpan implements AttemptTrace {
  readonly headers: Record<string, string> = {};

  constructor(
    private readonly api: ApiModule,
    private readonly span: Api.Span,
  ) {}

  ended(outcome: AttemptOutcome): void {
    const { status, errorType } = errorTypeOf(outcome);
    if (status !== undefined) this.span.setAttribute(ATTR.statusCode, status);
    if (errorType !== undefined) {
      this.span.setAttribute(ATTR.errorType, errorType);
      const message = 'error' in outcome && outcome.error instanceof Error ? outcome.error.message : undefined;
      this.span.setStatus(message === undefined ? { code: this.api.SpanStatusCode.ERROR } : { code: this.api.SpanStatusCode.ERROR, message });
    }
    this.span.end();
  }
}

/**
 * The span of one call (the logical operation: every attempt, retry and hedge of it), parented to the context
 * active when the call was made; each attempt sent gets a CLIENT span under it ({@link CallTrace.attempt}).
 */
export class CallTrace {
  /** The request's path with its query, once the call is prepared. */
  path = '';

  constructor(
    private readonly api: ApiModule,
    private readonly tracer: Api.Tracer,
    private readonly span: Api.Span,
    private readonly context: Api.Context,
    private readonly method: string,
  ) {}

  /**
   * Starts the CLIENT span of attempt number `number` (1 for the first; `http.request.resend_count` is set from
   * the second on) on `instance`, and injects its context into headers with the global propagator.
   */
  attempt(instance: InstanceRef, number: number): AttemptTrace {
    const url = new URL(instance.url);
    const attributes: Api.Attributes = {
      [ATTR.method]: this.method,
      [ATTR.serverAddress]: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      [ATTR.serverPort]: url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port),
      [ATTR.urlFull]: instance.url + this.path,
      [ATTR.instanceId]: instance.id,
    };
    if (number > 1) attributes[ATTR.resendCount] = number - 1;
    const span = this.tracer.startSpan(this.method, { kind: this.api.SpanKind.CLIENT, attributes }, this.context);
    const attempt = new AttemptSpan(this.api, span);
    this.api.propagation.inject(this.api.trace.setSpan(this.context, span), attempt.headers);
    return attempt;
  }

  /** Ends the call's span when `result` settles; resolves or rejects as it does. */
  around(result: Promise<ServiceResponse>): Promise<ServiceResponse> {
    return result.then(
      (response) => {
        if (response.fallback) this.failed(response.fallback.error);
        else this.answered(response.statusCode);
        this.span.end();
        return response;
      },
      (error: unknown) => {
        this.failed(error as Error);
        this.span.end();
        throw error;
      },
    );
  }

  private answered(status: number): void {
    this.span.setAttribute(ATTR.statusCode, status);
    if (status >= 400) {
      this.span.setAttribute(ATTR.errorType, String(status));
      this.span.setStatus({ code: this.api.SpanStatusCode.ERROR });
    }
  }

  private failed(error: Error): void {
    const status = (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number') this.span.setAttribute(ATTR.statusCode, status);
    const code = (error as { code?: unknown }).code;
    this.span.setAttribute(ATTR.errorType, typeof status === 'number' ? String(status) : typeof code === 'string' ? code : error.name || '_OTHER');
    this.span.recordException(error);
    this.span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: error.message });
  }
}

/**
 * OpenTelemetry tracing of one service's calls, when `@opentelemetry/api` (an optional peer dependency) is
 * installed; {@link createTracing} returns undefined otherwise, and the call path then reads one field.
 */
export class Tracing {
  constructor(
    private readonly api: ApiModule,
    private readonly service: string,
  ) {}

  /**
   * The call's span, started now in the active context; undefined while no SDK has registered a tracer provider
   * (the API's global is then a proxy with no delegate: no span, no header, nothing else done).
   */
  startCall(method: string): CallTrace | undefined {
    const { trace, context, SpanKind } = this.api;
    const provider = trace.getTracerProvider() as MaybeProxyProvider;
    const tracer =
      typeof provider.getDelegateTracer === 'function' ? provider.getDelegateTracer(TRACER_NAME, TRACER_VERSION) : provider.getTracer(TRACER_NAME, TRACER_VERSION);
    if (tracer === undefined) return undefined;
    const parent = context.active();
    // INTERNAL: the CLIENT spans are the attempts' (one per request sent, as the HTTP conventions ask for resends);
    // a CLIENT span around them would count each call twice in metrics derived from CLIENT spans
    const span = tracer.startSpan(method, { kind: SpanKind.INTERNAL, attributes: { [ATTR.method]: method, [ATTR.service]: this.service } }, parent);
    return new CallTrace(this.api, tracer, span, trace.setSpan(parent, span), method);
  }
}

/** Tracing for `service`'s calls, or undefined when `@opentelemetry/api` is not installed. */
export function createTracing(service: string): Tracing | undefined {
  const api = loadApi();
  return api === undefined ? undefined : new Tracing(api, service);
}
