import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startDevConsul, type DevConsulHandle } from 'dev-consul';
import { register, type Registration } from 'discovery-client';
import { ConsulApi } from '../src/ops/consul.js';

let consul: DevConsulHandle;
let api: ConsulApi;
const registrations: Registration[] = [];

beforeEach(async () => {
  consul = await startDevConsul({ port: 0, host: '127.0.0.1', logLevel: 'warn' });
  api = new ConsulApi({ host: '127.0.0.1', port: consul.port });
});

afterEach(async () => {
  for (const registration of registrations.splice(0)) await registration.close();
  api.close();
  await consul.close();
});

describe('ConsulApi (the deploy commands\' view of Consul)', () => {
  it('lists every instance by number with its pid, color and passing state; an IPv6 fleet gets usable URLs', async () => {
    const consulOptions = { host: '127.0.0.1', port: consul.port };
    registrations.push(await register({
      name: 'ratings', id: 'ratings-2', address: '::1', port: 8002, ttl: '30s', tags: ['v2.0', 'color=green'],
      meta: { version: '2.0', pid: '4242' }, consul: consulOptions, logger: false,
    }));
    const failing = await register({ name: 'ratings', id: 'ratings-1', address: '::1', port: 8001, ttl: '30s', meta: { version: '1.0' }, consul: consulOptions, logger: false });
    registrations.push(failing);
    await failing.fail();

    const listed = await api.instances('ratings');
    expect(listed).toEqual([
      { id: 'ratings-1', number: 1, version: '1.0', color: undefined, pid: undefined, url: 'http://[::1]:8001', passing: false },
      { id: 'ratings-2', number: 2, version: '2.0', color: 'green', pid: 4242, url: 'http://[::1]:8002', passing: true },
    ]);
    expect(new URL(listed[1]!.url).hostname).toBe('[::1]');

    await api.setActiveColor('ratings', 'green');
    expect(await api.activeColor('ratings')).toBe('green');
    await api.clearActiveColor('ratings');
    expect(await api.activeColor('ratings')).toBeUndefined();
    await api.deregister('ratings-1');
    expect((await api.instances('ratings')).map((i) => i.id)).toEqual(['ratings-2']);
  });
});
