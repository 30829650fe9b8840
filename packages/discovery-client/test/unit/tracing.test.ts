import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { DiscoveryClient, type BalancerStrategy } from '../../src/index.js';
import { useClientFixture } from '../helpers/client-fixture.js';
import { Upstream } from '../helpers/upstream.js';

const t = useClientFixture();

/** Always the first instance the call has not tried, in list order: a retry goes to the second. */
const inListOrder = (): BalancerStrategy => ({
  name: 'in-list-order',
  picker: (picks) => ({ pick: (avoid) => picks.find((p) => !avoid?.has(p.endpoint.instance.key)) ?? picks[0]! }),
});

/** `traceparent: 00-<trace id>-<span id>-<flags>` (W3C Trace Context). */
function traceparentOf(upstream: Upstream): { traceId: string; spanId: string } | undefined {
  const header = upstream.lastHeaders.traceparent;
  if (typeof header !== 'string') return undefined;
  const [, traceId, spanId] = header.split('-');
  return { traceId: traceId!, spanId: spanId! };
}

describe('tracing without a registered tracer provider', () => {
  it('sends no traceparent and changes nothing', async () => {
    t.upstreams = [await new Upstream('a').start()];
    t.client = new DiscoveryClient({ logger: false, static: { ratings: [t.upstreams[0]!.url] } });
    expect((await t.client.service('ratings').get('/r').json<{ from: string }>()).from).toBe('a');
    expect(t.upstreams[0]!.lastHeaders.traceparent).toBeUndefined();
  });
});

describe('tracing with an OpenTelemetry SDK', () => {
  const exporter = new InMemorySpanExporter();
  const tracer = () => trace.getTracer('the-app');

  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  });

  afterEach(() => exporter.reset());

  afterAll(() => {
    trace.disable();
    propagation.disable();
    context.disable();
  });

  const spans = (kind: SpanKind): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.kind === kind && s.instrumentationScope.name === 'discovery-client');

  it.each(['undici', 'got'] as const)('over %s: makes a call span in the active context and a CLIENT span per attempt, whose context the request carries', async (transport) => {
    t.upstreams = [await new Upstream('a').start()];
    const [a] = t.upstreams;
    t.client = new DiscoveryClient({ logger: false, static: { ratings: [{ id: 'ratings-1', url: a!.url }] } });
    const ratings = t.client.service('ratings', { transport });
    const parent = tracer().startSpan('incoming request');
    await context.with(trace.setSpan(context.active(), parent), () => ratings.get('/ratings/camera', { searchParams: { n: 1 } }));
    parent.end();

    const [call] = spans(SpanKind.INTERNAL);
    const [attempt] = spans(SpanKind.CLIENT);
    expect(call).toMatchObject({ name: 'GET', attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200, 'discovery.service.name': 'ratings' } });
    expect(call!.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(attempt!.parentSpanContext?.spanId).toBe(call!.spanContext().spanId);
    expect(attempt!.name).toBe('GET');
    expect(attempt!.attributes).toEqual({
      'http.request.method': 'GET',
      'server.address': '127.0.0.1',
      'server.port': a!.port,
      'url.full': `${a!.url}/ratings/camera?n=1`,
      'discovery.instance.id': 'ratings-1',
      'http.response.status_code': 200,
    });
    expect(attempt!.status.code).toBe(SpanStatusCode.UNSET);
    expect(traceparentOf(a!)).toEqual({ traceId: parent.spanContext().traceId, spanId: attempt!.spanContext().spanId });
  });

  it('gives a retried call two attempt spans under one call span, the second with http.request.resend_count 1', async () => {
    t.upstreams = await Promise.all([new Upstream('a').start(), new Upstream('b').start()]);
    const [a, b] = t.upstreams;
    a!.mode = '500';
    t.client = new DiscoveryClient({ logger: false, static: { ratings: [a!.url, b!.url] } });
    expect((await t.client.service('ratings', { balancer: inListOrder }).get('/r').json<{ from: string }>()).from).toBe('b');

    const calls = spans(SpanKind.INTERNAL);
    const attempts = spans(SpanKind.CLIENT);
    expect(calls).toHaveLength(1);
    expect(attempts.map((s) => [s.parentSpanContext?.spanId, s.attributes['server.port'], s.attributes['http.request.resend_count'], s.attributes['error.type'], s.status.code])).toEqual([
      [calls[0]!.spanContext().spanId, a!.port, undefined, '500', SpanStatusCode.ERROR],
      [calls[0]!.spanContext().spanId, b!.port, 1, undefined, SpanStatusCode.UNSET],
    ]);
    // each attempt's request carried its own span
    expect(traceparentOf(a!)?.spanId).toBe(attempts[0]!.spanContext().spanId);
    expect(traceparentOf(b!)?.spanId).toBe(attempts[1]!.spanContext().spanId);
  });

  it('marks a failed call\'s span and its attempt\'s as errors with error.type', async () => {
    t.upstreams = [await new Upstream('a').start()];
    const [a] = t.upstreams;
    a!.mode = 'hang';
    t.client = new DiscoveryClient({ logger: false, static: { ratings: [a!.url] } });
    const error = (await t.client.service('ratings', { timeout: 50, retry: false }).get('/r').catch((e: unknown) => e)) as { code: string };
    expect(error.code).toBe('ERR_REQUEST_TIMEOUT');

    const [call] = spans(SpanKind.INTERNAL);
    const [attempt] = spans(SpanKind.CLIENT);
    expect(call!.status.code).toBe(SpanStatusCode.ERROR);
    expect(call!.attributes['error.type']).toBe('ERR_REQUEST_TIMEOUT');
    expect(call!.events.map((e) => e.name)).toEqual(['exception']);
    expect(attempt!.status).toMatchObject({ code: SpanStatusCode.ERROR, message: expect.stringMatching(/^request to ratings at http:\/\/127.0.0.1:\d+ timed out after 50ms$/) });
    expect(attempt!.attributes['error.type']).toBe('timeout');
  });

  it('marks a 4xx answer as an error of the call and of the attempt (error.type "404")', async () => {
    t.upstreams = [await new Upstream('a').start()];
    t.upstreams[0]!.mode = '404';
    t.client = new DiscoveryClient({ logger: false, static: { ratings: [t.upstreams[0]!.url] } });
    const response = await t.client.service('ratings').get('/r', { throwHttpErrors: false });
    expect(response.statusCode).toBe(404);
    const both = [...spans(SpanKind.INTERNAL), ...spans(SpanKind.CLIENT)];
    expect(both).toHaveLength(2);
    for (const span of both) {
      expect([span.attributes['http.response.status_code'], span.attributes['error.type'], span.status.code]).toEqual([404, '404', SpanStatusCode.ERROR]);
    }
  });
});
