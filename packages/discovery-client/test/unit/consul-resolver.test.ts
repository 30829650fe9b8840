import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from 'process-supervisor';
import { ConsulHttp } from '../../src/consul/consul-http.js';
import { resolveConsulOptions } from '../../src/consul/consul-options.js';
import { RegistryUnavailableError } from '../../src/errors/registry-unavailable-error.js';
import { ConsulResolver, nextIndex } from '../../src/resolver/consul-resolver.js';
import { parseHealthEntries } from '../../src/resolver/health-entries.js';
import type { ResolverUpdate } from '../../src/resolver/resolver.js';
import { entry, FakeConsul } from '../helpers/fake-consul.js';

let consul: FakeConsul | undefined;
let resolver: ConsulResolver | undefined;
let http: ConsulHttp | undefined;

async function start(
  options: { maxStalenessMs?: number; token?: string; filter?: { tags?: string[]; meta?: Record<string, string> }; firstQueryTimeoutMs?: number } = {},
) {
  consul = new FakeConsul();
  const port = await consul.start();
  http = new ConsulHttp(resolveConsulOptions({ host: '127.0.0.1', port, ...(options.token ? { token: options.token } : {}) }, {}));
  const updates: ResolverUpdate[] = [];
  resolver = new ConsulResolver('ratings', http, {
    waitMs: 5000,
    backoff: { initialMs: 20, maxMs: 50 },
    maxStalenessMs: options.maxStalenessMs ?? Infinity,
    minQueryIntervalMs: 5,
    ...(options.firstQueryTimeoutMs === undefined ? {} : { firstQueryTimeoutMs: options.firstQueryTimeoutMs }),
    ...(options.filter ? { filter: options.filter } : {}),
  });
  resolver.start((update) => updates.push(update));
  return { consul, updates };
}

function lists(updates: ResolverUpdate[]): string[][] {
  return updates.flatMap((u) => (u.type === 'instances' ? [u.instances.map((i) => i.url)] : []));
}

afterEach(async () => {
  resolver?.close();
  await resolver?.done;
  http?.close();
  await consul?.close();
  resolver = undefined;
  consul = undefined;
});

describe('index rules', () => {
  it('treats 0 as 1', () => {
    expect(nextIndex(0, '0')).toEqual({ index: 1, reset: false });
  });
  it('resets to 0 when the index goes backwards', () => {
    expect(nextIndex(42, '7')).toEqual({ index: 0, reset: true });
  });
  it('keeps a growing or equal index', () => {
    expect(nextIndex(7, '42').index).toBe(42);
    expect(nextIndex(42, '42').index).toBe(42);
  });
  it('rejects a missing or garbage index', () => {
    expect(() => nextIndex(1, undefined)).toThrow(RegistryUnavailableError);
    expect(() => nextIndex(1, 'abc')).toThrow(RegistryUnavailableError);
  });
});

describe('parseHealthEntries', () => {
  it('uses Service.Address, falling back to Node.Address when empty', () => {
    const instances = parseHealthEntries('ratings', [
      entry('ratings-2', 8002, { address: '10.0.0.2' }),
      entry('ratings-1', 8001, { address: '', nodeAddress: '10.0.0.9' }),
    ]);
    expect(instances.map((i) => i.url)).toEqual(['http://10.0.0.9:8001', 'http://10.0.0.2:8002']);
  });
  it('accepts null Meta and brackets IPv6', () => {
    const [i] = parseHealthEntries('ratings', [entry('ratings-1', 8001, { address: '::1', meta: null })]);
    expect(i!.meta).toEqual({});
    expect(i!.url).toBe('http://[::1]:8001');
  });
});

describe('ConsulResolver', () => {
  it('starts non-blocking, then blocks with the index it got, asking for passing instances only', async () => {
    const { consul, updates } = await start();
    consul.respond(5, [entry('ratings-1', 8001)]);
    consul.respond(9, [entry('ratings-1', 8001), entry('ratings-2', 8002)]);
    await waitFor(() => lists(updates).length === 2, { timeoutMs: 3000, what: 'two lists' });
    const [first, second] = consul.healthRequests();
    expect(first!.url.pathname).toBe('/v1/health/service/ratings');
    expect(first!.url.searchParams.get('index')).toBe('0');
    expect(first!.url.searchParams.get('passing')).toBe('1');
    expect(second!.url.searchParams.get('index')).toBe('5');
    expect(second!.url.searchParams.get('wait')).toBe('5s');
    expect(lists(updates)).toEqual([['http://127.0.0.1:8001'], ['http://127.0.0.1:8001', 'http://127.0.0.1:8002']]);
  });

  it('resets to index 0 when Consul answers a lower index, and treats 0 as 1', async () => {
    const { consul } = await start();
    consul.respond(50, [entry('ratings-1', 8001)]);
    consul.respond(3, [entry('ratings-1', 8001)]);
    consul.respond(0, [entry('ratings-1', 8001)]);
    await waitFor(() => consul.healthRequests().length >= 4, { timeoutMs: 3000, what: 'four queries' });
    expect(consul.healthRequests().map((r) => r.url.searchParams.get('index'))).toEqual(['0', '50', '0', '1']);
  });

  it('does not republish an unchanged list', async () => {
    const { consul, updates } = await start();
    consul.respond(5, [entry('ratings-1', 8001)]);
    consul.respond(6, [entry('ratings-1', 8001)]);
    await waitFor(() => consul.healthRequests().length >= 3, { timeoutMs: 3000, what: 'three queries' });
    expect(lists(updates)).toHaveLength(1);
  });

  it('reports failures as values, backs off, starts again from index 0 after each one, and never stops', async () => {
    const { consul, updates } = await start();
    consul.respond(5, [entry('ratings-1', 8001)]);
    consul.respond(undefined, 'rpc error', 500);
    consul.respond(undefined, [entry('ratings-1', 8001)]); // no index header: an error too
    consul.respond(6, [entry('ratings-1', 8001), entry('ratings-2', 8002)]);
    await waitFor(() => lists(updates).length === 2, { timeoutMs: 5000, what: 'recovery' });
    const errors = updates.filter((u) => u.type === 'error');
    expect(errors).toHaveLength(2);
    for (const e of errors) {
      expect(e.type === 'error' && e.error).toBeInstanceOf(RegistryUnavailableError);
      expect(e.type === 'error' && e.expired).toBe(false);
    }
    expect(updates.some((u) => u.type === 'recovered')).toBe(true);
    // Consul's own watch does this: an agent that restarted has a fresh, lower index
    expect(consul.healthRequests().slice(0, 4).map((r) => r.url.searchParams.get('index'))).toEqual(['0', '5', '0', '0']);
  });

  it('resends a query reset on a reused keep-alive socket once, on a fresh connection, without reporting an error', async () => {
    const { consul, updates } = await start();
    consul.respond(5, [entry('ratings-1', 8001)]);
    consul.drop(); // the agent closes the idle connection as the watch reuses it
    consul.respond(6, [entry('ratings-1', 8001), entry('ratings-2', 8002)]);
    await waitFor(() => lists(updates).length === 2, { timeoutMs: 5000, what: 'the second list' });
    expect(updates.filter((u) => u.type === 'error')).toEqual([]);
    expect(consul.healthRequests().slice(0, 3).map((r) => r.url.searchParams.get('index'))).toEqual(['0', '5', '5']);
  });

  it('marks the list expired once it is older than maxStaleness', async () => {
    const { consul, updates } = await start({ maxStalenessMs: 10 });
    consul.respond(5, [entry('ratings-1', 8001)]);
    consul.respond(undefined, 'down', 500, 50);
    await waitFor(() => updates.some((u) => u.type === 'error'), { timeoutMs: 3000, what: 'an error' });
    const error = updates.find((u) => u.type === 'error');
    expect(error?.type === 'error' && error.expired).toBe(true);
  });

  it('gives up on a silent agent after firstQueryTimeoutMs on the first (non-blocking) query, not after a whole wait', async () => {
    const { consul, updates } = await start({ firstQueryTimeoutMs: 200 });
    consul.respond(5, [], 200, 1000); // the agent hangs (waitMs is 5000 here)
    consul.respond(5, [entry('ratings-1', 8001)]);
    await waitFor(() => updates.some((u) => u.type === 'error'), { timeoutMs: 900, what: 'an error well before the blocking timeout' });
    const error = updates.find((u) => u.type === 'error');
    expect(error?.type === 'error' && error.error.message).toMatch(/ETIMEDOUT/);
    await waitFor(() => lists(updates).length === 1, { timeoutMs: 3000, what: 'the list after the retry' });
  });

  it('sends the ACL token as X-Consul-Token', async () => {
    const { consul } = await start({ token: 's3cret' });
    consul.respond(5, []);
    await waitFor(() => consul.healthRequests().length >= 1, { timeoutMs: 3000, what: 'a query' });
    expect(consul.healthRequests()[0]!.headers['x-consul-token']).toBe('s3cret');
  });

  it('filters by tags and meta', async () => {
    const { consul, updates } = await start({ filter: { tags: ['v2'], meta: { color: 'blue' } } });
    consul.respond(5, [
      entry('ratings-1', 8001, { tags: ['v1'], meta: { color: 'blue' } }),
      entry('ratings-2', 8002, { tags: ['v2', 'x'], meta: { color: 'blue' } }),
      entry('ratings-3', 8003, { tags: ['v2'], meta: { color: 'green' } }),
    ]);
    await waitFor(() => lists(updates).length === 1, { timeoutMs: 3000, what: 'a list' });
    expect(lists(updates)[0]).toEqual(['http://127.0.0.1:8002']);
  });
});
