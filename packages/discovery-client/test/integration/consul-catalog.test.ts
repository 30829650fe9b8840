import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startDevConsul, type DevConsulHandle } from 'dev-consul';
import { ConsulCatalog, isRegistryUnavailableError, register, type Registration } from '../../src/index.js';

let consul: DevConsulHandle;
let catalog: ConsulCatalog;
const registrations: Registration[] = [];

beforeEach(async () => {
  consul = await startDevConsul({ port: 0, host: '127.0.0.1', logLevel: 'warn' });
  catalog = new ConsulCatalog({ consul: { host: '127.0.0.1', port: consul.port } });
});

afterEach(async () => {
  for (const registration of registrations.splice(0)) await registration.close();
  catalog.close();
  await consul.close();
});

async function registerInstance(id: string, address: string, port: number, tags: string[], meta: Record<string, string> = {}): Promise<Registration> {
  const registration = await register({
    name: 'ratings', id, address, port, ttl: '30s', tags, meta, consul: { host: '127.0.0.1', port: consul.port }, logger: false,
  });
  registrations.push(registration);
  return registration;
}

describe('ConsulCatalog against dev-consul', () => {
  it('lists passing instances by ID, an IPv6 address bracketed, the scheme from meta, filtered by tags', async () => {
    await registerInstance('ratings-2', '::1', 8002, ['v2.0', 'color=green']);
    await registerInstance('ratings-10', '127.0.0.1', 8010, ['v1.0'], { scheme: 'https' });
    await registerInstance('ratings-1', '127.0.0.1', 8001, ['v1.0', 'color=blue']);
    const down = await registerInstance('ratings-3', '127.0.0.1', 8003, ['v1.0']);
    await down.fail('broken on purpose');

    const passing = await catalog.instances('ratings');
    expect(passing.map((i) => [i.id, i.url, i.health])).toEqual([
      ['ratings-1', 'http://127.0.0.1:8001', 'passing'],
      ['ratings-2', 'http://[::1]:8002', 'passing'],
      ['ratings-10', 'https://127.0.0.1:8010', 'passing'],
    ]);
    expect(new URL(passing[1]!.url).port).toBe('8002');
    expect((await catalog.instances('ratings', { tags: ['v1.0'] })).map((i) => i.id)).toEqual(['ratings-1', 'ratings-10']);
    expect((await catalog.instances('ratings', { tags: ['v1.0', 'color=blue'] })).map((i) => i.id)).toEqual(['ratings-1']);
    expect((await catalog.instances('ratings', { meta: { scheme: 'https' } })).map((i) => i.id)).toEqual(['ratings-10']);

    const all = await catalog.instances('ratings', { passing: false });
    expect(all.map((i) => [i.id, i.health])).toEqual([
      ['ratings-1', 'passing'], ['ratings-2', 'passing'], ['ratings-3', 'critical'], ['ratings-10', 'passing'],
    ]);
    expect(await catalog.instances('nobody')).toEqual([]);
  });

  it('deregisters an instance by ID; an unknown ID is no error', async () => {
    await registerInstance('ratings-1', '127.0.0.1', 8001, []);
    await catalog.deregister('ratings-1');
    expect(await catalog.instances('ratings', { passing: false })).toEqual([]);
    await expect(catalog.deregister('ratings-9')).resolves.toBeUndefined();
  });

  it('reads, sets and clears the active color', async () => {
    expect(await catalog.activeColor('ratings')).toBeUndefined();
    await catalog.setActiveColor('ratings', 'green');
    expect(await catalog.activeColor('ratings')).toBe('green');
    expect(await (await fetch(`${consul.url}/v1/kv/discovery/ratings/active?raw`)).text()).toBe('green');
    await catalog.clearActiveColor('ratings');
    expect(await catalog.activeColor('ratings')).toBeUndefined();
    await expect(catalog.clearActiveColor('ratings')).resolves.toBeUndefined();
  });

  it('rejects with RegistryUnavailableError when Consul is gone', async () => {
    await consul.close();
    const error = await catalog.instances('ratings').catch((e: unknown) => e);
    expect(isRegistryUnavailableError(error)).toBe(true);
    expect((error as Error).message).toContain(`consul at http://127.0.0.1:${consul.port} unreachable`);
    consul = await startDevConsul({ port: 0, host: '127.0.0.1', logLevel: 'warn' }); // for afterEach
  });

  it('names a bad option', () => {
    expect(() => new ConsulCatalog({ timeoutMs: 0 })).toThrow('Expected `timeoutMs` to be a finite number >= 1, got 0');
    return expect(catalog.instances('ratings', { tags: 'v1' as unknown as string[] })).rejects.toThrow('Expected `tags` to be an array of strings');
  });
});
