import { describe, expect, it } from '@jest/globals';
import { waitFor } from 'process-supervisor';
import { CANCELLABLE_REQUEST } from '../../src/call-cancel.js';
import { ServiceDispatchController } from '../../src/fetch/dispatch-controller.js';
import { DiscoveryClient, type DiscoveryEvents, type ResponsePromise, type ServiceOptions } from '../../src/index.js';
import { useClientFixture } from '../helpers/client-fixture.js';
import { Upstream } from '../helpers/upstream.js';

// A call's `signal` (a standard AbortSignal), as fetch's: aborting rejects at once with the signal's reason,
// aborts the attempt in flight, takes the call out of any wait, and counts against no instance.

const t = useClientFixture();

async function setup(options: ServiceOptions = {}, count = 1) {
  t.upstreams = await Promise.all(Array.from({ length: count }, (_, i) => new Upstream(`u${i + 1}`).start()));
  const client = new DiscoveryClient({ logger: false, static: { ratings: t.upstreams.map((u) => ({ id: u.name, url: u.url })) } });
  t.client = client;
  const failed: Array<DiscoveryEvents['callFailed']> = [];
  client.on('callFailed', (e) => failed.push(e));
  const service = client.service('ratings', { timeout: 30_000, deadline: 60_000, ...options });
  const instance = () => client.snapshot().services[0]!.instances[0]!;
  return { client, service, upstreams: t.upstreams, failed, instance };
}

/** Settles `call` into a value that says how it ended, so an early rejection is not unhandled. */
function settle(call: ResponsePromise): { done: boolean; result: Promise<{ value?: unknown; error?: unknown }> } {
  const state = { done: false, result: undefined as unknown as Promise<{ value?: unknown; error?: unknown }> };
  state.result = call.then(
    (value) => ((state.done = true), { value }),
    (error: unknown) => ((state.done = true), { error }),
  );
  return state;
}

describe('a call\'s signal', () => {
  it('an already-aborted signal rejects with its reason before anything is sent', async () => {
    const { service, upstreams } = await setup();
    const reason = new Error('the caller went away');
    const error = await service.get('/r', { signal: AbortSignal.abort(reason) }).catch((e: unknown) => e);
    expect(error).toBe(reason);
    expect(upstreams[0]!.hits).toBe(0);
  });

  it('aborting rejects at once with an AbortError, aborts the attempt in flight, and counts nothing against the instance', async () => {
    // the datawire preset opens the breaker on the first failure: a cancellation must not
    const { service, upstreams, failed, instance } = await setup({ breaker: { preset: 'datawire' }, timeout: 30_000 });
    const [u] = upstreams;
    u!.mode = 'hang';
    const controller = new AbortController();
    const call = settle(service.get('/r', { signal: controller.signal }));
    await waitFor(() => u!.hits === 1, { timeoutMs: 5000, what: 'the attempt sent' });
    controller.abort();
    const { error } = await call.result;
    expect(error).toBeInstanceOf(DOMException);
    expect(error).toMatchObject({ name: 'AbortError' });
    await waitFor(() => u!.aborted === 1, { timeoutMs: 5000, what: 'the request aborted on the socket' });
    expect(instance()).toMatchObject({ breaker: 'CLOSED', failures: 0, outstanding: 0, latencyMs: undefined });
    expect(failed).toEqual([]);
    expect(u!.hits).toBe(1);
    // the instance serves the next call as before
    u!.mode = 'ok';
    await expect(service.get('/next')).resolves.toMatchObject({ statusCode: 200 });
  });

  it('outlier detection records nothing for a cancelled attempt', async () => {
    const { service, upstreams, instance } = await setup({ outlierDetection: { consecutiveFailures: 1 } });
    const [u] = upstreams;
    u!.mode = 'hang';
    for (let i = 0; i < 3; i++) {
      const controller = new AbortController();
      const call = settle(service.get('/r', { signal: controller.signal }));
      await waitFor(() => u!.hits === i + 1, { timeoutMs: 5000, what: `attempt ${i + 1} sent` });
      controller.abort(new Error(`gave up ${i}`));
      expect((await call.result).error).toEqual(new Error(`gave up ${i}`));
    }
    expect(instance()).toMatchObject({ breaker: 'CLOSED', failures: 0 });
  });

  it('a call waiting for a slot at the concurrency limit leaves the queue and is never sent', async () => {
    const limit = { minLimit: 1, maxLimit: 1, initialLimit: 1, queueIntervalMs: 30_000, queueTargetMs: 30_000 };
    const { client, service, upstreams } = await setup({ concurrencyLimit: limit });
    const [u] = upstreams;
    u!.mode = 'hold';
    const overload = () => client.snapshot().services[0]!.overload;
    const sent = settle(service.get('/sent'));
    await waitFor(() => u!.holding === 1, { timeoutMs: 5000, what: 'the first call held' });
    const controller = new AbortController();
    const waiting = settle(service.get('/waiting', { signal: controller.signal }));
    await waitFor(() => overload()?.queued === 1, { timeoutMs: 5000, what: 'the second call waiting' });
    controller.abort();
    expect((await waiting.result).error).toMatchObject({ name: 'AbortError' });
    expect(overload()).toEqual({ queued: 0, shed: { 'queue-full': 0, 'queue-timeout': 0 } });
    u!.release();
    expect((await sent.result).value).toMatchObject({ statusCode: 200 });
    // the freed slot was not handed to the cancelled call: the next call is sent at once
    u!.mode = 'ok';
    await expect(service.get('/after')).resolves.toMatchObject({ statusCode: 200 });
    expect(u!.paths).toEqual(['/sent', '/after']);
  });

  it('cancels a retry\'s backoff wait', async () => {
    const { client, service, upstreams } = await setup({ retry: { limit: 2, backoffInitialMs: 60_000, backoffMaxMs: 60_000 }, outlierDetection: false });
    const [u] = upstreams;
    u!.mode = '500';
    const retried: Array<DiscoveryEvents['callRetried']> = [];
    client.on('callRetried', (e) => retried.push(e));
    const controller = new AbortController();
    const call = settle(service.get('/r', { signal: controller.signal }));
    // the only instance failed: the retry goes back to it after a backoff of 30-60 s
    await waitFor(() => retried.length === 1, { timeoutMs: 5000, what: 'the retry waiting out its backoff' });
    expect(retried[0]!.delayMs).toBeGreaterThanOrEqual(30_000);
    controller.abort();
    await waitFor(() => call.done, { timeoutMs: 5000, what: 'the call rejected' });
    expect((await call.result).error).toMatchObject({ name: 'AbortError' });
    expect(u!.hits).toBe(1);
  });

  it('a signal aborted after the call ended changes nothing', async () => {
    const { service } = await setup();
    const controller = new AbortController();
    await expect(service.get('/r', { signal: controller.signal })).resolves.toMatchObject({ statusCode: 200 });
    controller.abort();
  });

  it('a signal that is not an AbortSignal is a TypeError naming it', async () => {
    const { service } = await setup();
    await expect(service.get('/r', { signal: { aborted: false } as unknown as AbortSignal })).rejects.toThrow(
      new TypeError('Expected `signal` to be an AbortSignal, got {"aborted":false}'),
    );
  });
});

// The fetch interceptor cancels its calls through its dispatch controller (call-cancel.ts), not an AbortSignal:
// the same rules as a signal's.
describe('the fetch interceptor\'s cancel hook', () => {
  it('an already-aborted controller rejects with its reason before anything is sent', async () => {
    const { service, upstreams } = await setup();
    const controller = new ServiceDispatchController();
    const reason = new Error('fetch gave up');
    controller.abort(reason);
    await expect(service[CANCELLABLE_REQUEST]({ path: '/r' }, controller)).rejects.toBe(reason);
    expect(upstreams[0]!.hits).toBe(0);
  });

  it('aborting rejects with the reason, aborts the attempt in flight and counts nothing against the instance', async () => {
    const { service, upstreams, failed, instance } = await setup({ breaker: { preset: 'datawire' }, timeout: 30_000 });
    const [u] = upstreams;
    u!.mode = 'hang';
    const controller = new ServiceDispatchController();
    const call = settle(service[CANCELLABLE_REQUEST]({ path: '/r' }, controller));
    await waitFor(() => u!.hits === 1, { timeoutMs: 5000, what: 'the attempt sent' });
    expect(controller.oncancel).toBeInstanceOf(Function);
    controller.abort();
    const { error } = await call.result;
    expect(error).toBeInstanceOf(DOMException);
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(controller.reason).toBe(error);
    await waitFor(() => u!.aborted === 1, { timeoutMs: 5000, what: 'the request aborted on the socket' });
    expect(instance()).toMatchObject({ breaker: 'CLOSED', failures: 0, outstanding: 0 });
    expect(failed).toEqual([]);
  });

  it('lets go of the hook once the call ended: a later abort changes nothing', async () => {
    const { service } = await setup();
    const controller = new ServiceDispatchController();
    await expect(service[CANCELLABLE_REQUEST]({ path: '/r' }, controller)).resolves.toMatchObject({ statusCode: 200 });
    expect(controller.oncancel).toBeUndefined();
    controller.abort(new Error('late'));
    expect(controller.reason).toEqual(new Error('late'));
  });
});

describe('the dispatch controller', () => {
  it('keeps the first reason, and an abort resumes a paused consumer', async () => {
    const controller = new ServiceDispatchController();
    controller.pause();
    const flowing = controller.flowing();
    const first = new Error('first');
    controller.abort(first);
    controller.abort(new Error('second'));
    await flowing;
    expect({ aborted: controller.aborted, paused: controller.paused, reason: controller.reason }).toEqual({ aborted: true, paused: false, reason: first });
  });
});
