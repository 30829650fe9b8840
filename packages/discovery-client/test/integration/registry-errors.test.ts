import { afterEach, describe, expect, it } from '@jest/globals';
import { startDevConsul, type DevConsulHandle } from 'dev-consul';
import {
  DiscoveryClient,
  isNoHealthyInstancesError,
  isNoMatchingInstancesError,
  isRegistryAccessDeniedError,
  isUnknownServiceError,
  register,
  type RegisterOptions,
  type Registration,
} from '../../src/index.js';
import { Upstream } from '../helpers/upstream.js';

let consul: DevConsulHandle | undefined;
let discovery: DiscoveryClient | undefined;
const upstreams: Upstream[] = [];
const registrations: Registration[] = [];

async function start(token?: string): Promise<DevConsulHandle> {
  consul = await startDevConsul({ port: 0, logLevel: 'error', ...(token ? { token } : {}) });
  return consul;
}

async function inventory(id: string, extra: Partial<RegisterOptions> = {}): Promise<void> {
  const upstream = await new Upstream(id).start();
  upstreams.push(upstream);
  registrations.push(await register({
    name: 'inventory', id, address: '127.0.0.1', port: upstream.port, ttl: '10s', tags: ['v1'], logger: false,
    consul: { host: '127.0.0.1', port: consul!.port }, ...extra,
  }));
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

afterEach(async () => {
  await discovery?.close();
  discovery = undefined;
  for (const registration of registrations.splice(0)) await registration.close();
  for (const upstream of upstreams.splice(0)) await upstream.close();
  await consul?.close();
  consul = undefined;
});

describe('an empty list says why', () => {
  it('a misspelt service name fails with UnknownServiceError naming it, not "all instances are down"', async () => {
    await start();
    await inventory('inventory-1');
    discovery = new DiscoveryClient({ consul: { host: '127.0.0.1', port: consul!.port }, logger: false });
    const error = await failure(discovery.service('inventroy').get('/'));
    expect(isUnknownServiceError(error)).toBe(true);
    expect(error.message).toBe(`all inventroy instances are down: service inventroy is not registered in consul at http://127.0.0.1:${consul!.port}`);
    // still an "all down" to code that handles one
    expect(isNoHealthyInstancesError(error)).toBe(true);
    // the right name still works through the same client
    expect((await discovery.service('inventory').get('/')).statusCode).toBe(200);
  });

  it('a tag filter matching none of the passing instances fails with NoMatchingInstancesError', async () => {
    await start();
    await inventory('inventory-1');
    await inventory('inventory-2');
    discovery = new DiscoveryClient({ consul: { host: '127.0.0.1', port: consul!.port }, logger: false });
    const error = await failure(discovery.service('inventory', { tags: ['v2'] }).get('/'));
    expect(isNoMatchingInstancesError(error)).toBe(true);
    expect(error.message).toBe('all inventory instances are down: none of the 2 passing inventory instances matches tags [v2]');
  });

  it('a registered service with no passing instance is still "all down"', async () => {
    await start();
    // registered by hand with a TTL check and no heartbeat: it stays critical (Consul's initial status)
    const res = await fetch(`${consul!.url}/v1/agent/service/register`, {
      method: 'PUT',
      body: JSON.stringify({ Name: 'inventory', ID: 'inventory-1', Address: '127.0.0.1', Port: 1, Check: { TTL: '1h' } }),
    });
    expect(res.ok).toBe(true);
    discovery = new DiscoveryClient({ consul: { host: '127.0.0.1', port: consul!.port }, logger: false });
    const error = await failure(discovery.service('inventory').get('/'));
    expect(isNoHealthyInstancesError(error)).toBe(true);
    expect(error.message).toBe('all inventory instances are down');
  });
});

describe('ACLs', () => {
  it('no token while the default ACL policy is deny: RegistryAccessDeniedError (filtered) saying so', async () => {
    await start('secret');
    await inventory('inventory-1', { consul: { host: '127.0.0.1', port: consul!.port, token: 'secret' } });
    discovery = new DiscoveryClient({ consul: { host: '127.0.0.1', port: consul!.port, token: '' }, logger: false });
    const error = await failure(discovery.service('inventory').get('/'));
    expect(isRegistryAccessDeniedError(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'filtered', code: 'ERR_REGISTRY_ACCESS_DENIED', retryable: false });
    expect(error.message).toContain('without an ACL token');
  });

  it('a token consul does not know: the watch fails with RegistryAccessDeniedError (forbidden, 403)', async () => {
    await start('secret');
    discovery = new DiscoveryClient({ consul: { host: '127.0.0.1', port: consul!.port, token: 'wrong' }, logger: false });
    const error = await failure(discovery.service('inventory').get('/'));
    expect(isRegistryAccessDeniedError(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'forbidden', statusCode: 403, retryable: false });
    expect(error.message).toContain('inventory');
    expect(error.message).toContain('ACL not found');
  });

  it('register() with a refused token rejects at once with RegistryAccessDeniedError, not retryable', async () => {
    await start('secret');
    const error = await failure(register({
      name: 'inventory', id: 'inventory-1', address: '127.0.0.1', port: 1, logger: false,
      consul: { host: '127.0.0.1', port: consul!.port, token: 'wrong' },
    }));
    expect(isRegistryAccessDeniedError(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'forbidden', statusCode: 403, retryable: false });
    expect(error.message).toContain('registering inventory-1');
  });
});
