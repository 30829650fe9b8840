import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { waitFor } from 'process-supervisor';
import { ClientClosedError, DiscoveryClient, isClientClosedError, UpstreamHttpError, type Logger, type ResponsePromise, type ServiceOptions } from '../../src/index.js';
import { useClientFixture } from '../helpers/client-fixture.js';
import { Upstream } from '../helpers/upstream.js';

// discovery.close(): new calls reject with ClientClosedError at once, waiting calls too; an attempt in flight
// may finish within the grace period, after which it is aborted; nothing of it counts or is logged against an
// instance, and nothing is sent after close() (a call in flight used to be retried on a new pool).

const t = useClientFixture();

/** Every line the client logs. */
function recordingLogger(lines: string[]): Logger {
  const log = (_fields: object, message: string) => void lines.push(message);
  return { debug: log, info: log, warn: log, error: log };
}

async function setup(options: ServiceOptions = {}) {
  t.upstreams = [await new Upstream('u1').start()];
  const [u] = t.upstreams;
  const lines: string[] = [];
  const client = new DiscoveryClient({ logger: recordingLogger(lines), static: { ratings: [{ id: 'ratings-1', url: u!.url }] } });
  t.client = client;
  const service = client.service('ratings', { timeout: 30_000, deadline: 60_000, ...options });
  return { client, service, u: u!, lines };
}

function settle(call: ResponsePromise): Promise<{ value?: unknown; error?: unknown }> {
  return call.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

/** Log lines that speak of a failure. */
const failures = (lines: string[]) => lines.filter((line) => /fail|OPEN|eject/i.test(line));

describe('DiscoveryClient.close()', () => {
  it('calls after close() reject with ClientClosedError at once; service() throws it; close() is idempotent', async () => {
    const { client, service, u } = await setup();
    const closing = client.close();
    expect(client.close()).toBe(closing);
    await closing;
    const error = await service.get('/r').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientClosedError);
    expect(isClientClosedError(error)).toBe(true);
    expect(error).toMatchObject({ name: 'ClientClosedError', code: 'ERR_CLIENT_CLOSED', retryable: false, service: 'ratings' });
    expect(() => client.service('ratings')).toThrow(ClientClosedError);
    expect(u.hits).toBe(0);
    await client.close();
  });

  it('a call in flight finishes within the grace period; nothing is logged as a failure', async () => {
    const { client, service, u, lines } = await setup();
    u.mode = 'hold';
    const call = settle(service.get('/r'));
    await waitFor(() => u.holding === 1, { timeoutMs: 5000, what: 'the call held' });
    const closing = client.close({ gracePeriodMs: 60_000 });
    u.release();
    expect((await call).value).toMatchObject({ statusCode: 200 });
    await closing;
    expect(u.paths).toEqual(['/r']);
    expect(failures(lines)).toEqual([]);
  });

  it('past the grace period the attempt is aborted and the call rejects with ClientClosedError, not retried, not logged as a failure', async () => {
    const { client, service, u, lines } = await setup({ retry: { limit: 2 } });
    u.mode = 'hang';
    const call = settle(service.get('/r'));
    await waitFor(() => u.hits === 1, { timeoutMs: 5000, what: 'the attempt sent' });
    await client.close({ gracePeriodMs: 50 });
    const { error } = await call;
    expect(error).toBeInstanceOf(ClientClosedError);
    await waitFor(() => u.aborted === 1, { timeoutMs: 5000, what: 'the request aborted on the socket' });
    expect(u.hits).toBe(1);
    expect(failures(lines)).toEqual([]);
  });

  it('gracePeriodMs: 0 aborts the calls in flight at once, as a cancellation, not an instance failure', async () => {
    const { client, service, u, lines } = await setup();
    u.mode = 'hang';
    const call = settle(service.get('/r'));
    await waitFor(() => u.hits === 1, { timeoutMs: 5000, what: 'the attempt sent' });
    await client.close({ gracePeriodMs: 0 });
    expect((await call).error).toBeInstanceOf(ClientClosedError);
    expect(failures(lines)).toEqual([]);
  });

  it('a call waiting out a retry backoff rejects with ClientClosedError at once, within any grace period', async () => {
    const { client, service, u } = await setup({ retry: { limit: 2, backoffInitialMs: 60_000, backoffMaxMs: 60_000 }, outlierDetection: false });
    u.mode = '500';
    let retried = 0;
    client.on('callRetried', () => retried++);
    const call = settle(service.get('/r'));
    await waitFor(() => retried === 1, { timeoutMs: 5000, what: 'the retry waiting out its backoff' });
    await client.close({ gracePeriodMs: 60_000 });
    expect((await call).error).toBeInstanceOf(ClientClosedError);
    expect(u.hits).toBe(1);
  });

  it('an attempt in flight that fails during the grace period is not retried: ClientClosedError, its error as cause', async () => {
    // an instance that answers 500 when the test says so
    const answers: Array<() => void> = [];
    let hits = 0;
    const server = http.createServer((_req, res) => {
      hits++;
      answers.push(() => res.writeHead(500).end('{}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = new DiscoveryClient({ logger: false, static: { ratings: [`http://127.0.0.1:${(server.address() as AddressInfo).port}`] } });
      t.client = client;
      const call = settle(client.service('ratings', { timeout: 30_000, retry: { limit: 2 } }).get('/r'));
      await waitFor(() => answers.length === 1, { timeoutMs: 5000, what: 'the attempt held' });
      const closing = client.close({ gracePeriodMs: 60_000 });
      answers[0]!();
      const { error } = await call;
      expect(error).toBeInstanceOf(ClientClosedError);
      expect((error as ClientClosedError).cause).toBeInstanceOf(UpstreamHttpError);
      await closing;
      expect(hits).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a misspelt option or a bad gracePeriodMs is a TypeError naming it', async () => {
    const { client } = await setup();
    await expect(client.close({ gracePeriod: 1 } as never)).rejects.toThrow(new TypeError('Unknown option `gracePeriod` (known: gracePeriodMs)'));
    await expect(client.close({ gracePeriodMs: -1 })).rejects.toThrow(new TypeError('Expected `gracePeriodMs` to be a finite number >= 0, got -1'));
  });
});

