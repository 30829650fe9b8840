import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from 'process-supervisor';
import { createHumanLogger, DiscoveryClient, RegistryUnavailableError } from '../../src/index.js';
import { entry, FakeConsul } from '../helpers/fake-consul.js';
import { Upstream } from '../helpers/upstream.js';

let consul: FakeConsul | undefined;
let upstream: Upstream | undefined;
let client: DiscoveryClient | undefined;

afterEach(async () => {
  await client?.close();
  await consul?.close();
  await upstream?.close();
  client = undefined;
  consul = undefined;
  upstream = undefined;
});

describe('maxStaleness', () => {
  it('serves the last list while Consul fails, then drops it once older than maxStalenessMs', async () => {
    upstream = await new Upstream('a').start();
    consul = new FakeConsul();
    const port = await consul.start();
    consul.respond(5, [entry('ratings-1', upstream.port)]);
    for (let i = 0; i < 50; i++) consul.respond(undefined, 'No cluster leader', 500, i === 0 ? 50 : 0);
    const err: string[] = [];
    client = new DiscoveryClient({
      consul: { host: '127.0.0.1', port },
      logger: createHumanLogger({ out: { write: () => true }, err: { write: (line: string) => err.push(line.trim()) } }),
      watch: { backoffInitialMs: 20, backoffMaxMs: 40, maxStalenessMs: 400 },
    });
    const errors: number[] = [];
    client.on('registryError', (e) => errors.push(e.staleForMs));
    const ratings = client.service('ratings', { fallback: () => 'fallback' });
    expect((await ratings.get('/r').json<{ from: string }>()).from).toBe('a');
    await waitFor(() => errors.length > 0, { timeoutMs: 3000, what: 'a registry error' });
    expect((await ratings.get('/r').json<{ from: string }>()).from).toBe('a');
    await waitFor(() => errors.some((ms) => ms > 400), { timeoutMs: 5000, what: 'staleness beyond the limit' });
    const plain = client.service('ratings', { retry: false });
    await expect(plain.get('/r')).rejects.toBeInstanceOf(RegistryUnavailableError);
    await expect(ratings.get('/r').json()).resolves.toBe('fallback');
    // one warning when the outage starts (rate-limited after), one error line the moment the list is dropped
    const registryLines = err.filter((line) => line.startsWith('consul failing for ratings'));
    expect(registryLines[0]).toMatch(/^consul failing for ratings: consul answered 500 .*No cluster leader; serving the last known list \(1 instance, stale for \ds\)$/);
    expect(registryLines.filter((line) => line.includes('dropped the last known list of ratings'))).toHaveLength(1);
    expect(registryLines).toHaveLength(2);
  });

  it.each([
    [403, 'ACL not found', 'error'],
    [429, 'rate limit exceeded', 'warn'],
  ])('a watch answered %i (%s) is logged at %s, keeps trying and picks up once Consul accepts', async (status, text, level) => {
    consul = new FakeConsul();
    const port = await consul.start();
    consul.respond(undefined, text, status);
    consul.respond(undefined, text, status);
    upstream = await new Upstream('a').start();
    consul.respond(7, [entry('ratings-1', upstream.port)]);
    const lines: Array<[string, string]> = [];
    const record = (level: string) => (_fields: unknown, message: string) => void lines.push([level, message]);
    client = new DiscoveryClient({
      consul: { host: '127.0.0.1', port, token: 'wrong' },
      logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
      watch: { backoffInitialMs: 20, backoffMaxMs: 40 },
    });
    const ratings = client.service('ratings');
    const refused = await ratings.get('/r').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RegistryUnavailableError);
    expect((refused as RegistryUnavailableError).statusCode).toBe(status);
    await waitFor(() => lines.some(([, line]) => line.startsWith('resolved ratings')), { timeoutMs: 3000, what: 'the list once Consul accepts' });
    expect((await ratings.get('/r').json<{ from: string }>()).from).toBe('a');
    expect(lines).toContainEqual([
      level,
      `consul failing for ratings: consul ${status === 403 ? 'refused the ACL token (403)' : `answered ${status}`} to GET /v1/health/service/ratings?passing=1&index=0&wait=30s: ${text}; no list to serve`,
    ]);
    expect(lines.some(([level, line]) => level === 'info' && line.startsWith('resolved ratings => ['))).toBe(true);
  });
});
