import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiClient } from '../helpers/client.js';
import { SpecChecker } from '../helpers/spec.js';
import { startApp } from '../helpers/apps.js';
import type { TestApp } from '../helpers/apps.js';
import { startStaticGateway } from '../helpers/static-gateway.js';
import type { StaticGateway } from '../helpers/static-gateway.js';
import { createStorage } from '../../scripts/lib/storage.js';
import type { Storage } from '../../scripts/lib/storage.js';

/** `VERSION` in answers (issue 10): what a client sees of a rolling update or a blue/green cut-over. */
describe('the version in answers', () => {
  const checker = new SpecChecker();
  let storage: Storage;
  let users: TestApp;
  let messages: TestApp;
  let gateway: StaticGateway;
  let api: ApiClient;

  beforeAll(async () => {
    storage = await createStorage('sqlite');
    users = await startApp('users', storage, { version: '2.0' });
    messages = await startApp('messages', storage, { version: '2.0' });
    api = new ApiClient(users.url, checker);
    gateway = await startStaticGateway({
      users: [{ id: 'users-1', url: users.url }],
      messages: [{ id: 'messages-1', url: messages.url }],
      posts: [],
      votes: [],
    });
  });

  afterAll(async () => {
    await gateway.close();
    await users.close();
    await messages.close();
    await storage.remove();
  });

  it('every 200 answer of a GET carries the instance\'s VERSION, /health included; writes, errors and OPTIONS do not', async () => {
    const created = await api.post('/users', { username: 'vera', email: 'vera@example.com' });
    expect(created.status).toBe(201);
    expect(created.body).not.toHaveProperty('version');
    expect((await api.get('/users/vera')).body).toMatchObject({ username: 'vera', version: '2.0' });
    expect((await api.get('/health')).body).toEqual({ status: 'ok', service: 'users', instance: 'users-test', version: '2.0' });
    expect((await api.patch('/users/vera', { email: 'vera@new.example.com' })).body).not.toHaveProperty('version');
    const missing = await api.get('/users/nobody');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: 'user nobody not found' });
    const bad = await api.get('/users/x');
    expect(bad.status).toBe(400);
    expect(bad.body).not.toHaveProperty('version');
    expect(await (await fetch(`${users.url}/users/vera`, { method: 'OPTIONS' })).json()).toEqual({ allow: ['GET', 'HEAD', 'OPTIONS', 'PATCH'] });
  });

  it('a list answer carries one version at the top, none in its items', async () => {
    const inbox = new ApiClient(messages.url, checker);
    expect((await inbox.post('/messages', { from: 'vera', to: 'vera', contents: 'note to self' })).status).toBe(201);
    const list = await inbox.get<{ messages: object[]; version: string }>('/messages?to=vera');
    expect(list.body.version).toBe('2.0');
    expect(list.body.messages).toHaveLength(1);
    expect(list.body.messages[0]).not.toHaveProperty('version');
  });

  it('through the gateway: the serving instance\'s version; the gateway\'s own routes carry the gateway\'s', async () => {
    const viaGateway = new ApiClient(gateway.url, checker);
    const user = await viaGateway.get('/users/vera');
    expect(user.headers.get('x-served-by')).toMatch(/^users-1 /);
    expect(user.body.version).toBe('2.0');
    expect((await viaGateway.get('/health')).body).toEqual({ status: 'ok', service: 'gateway', instance: 'gateway-test', version: '1.0' });
    const status = (await (await fetch(`${gateway.url}/gateway/status`)).json()) as { version: string; services: unknown[] };
    expect(status.version).toBe('1.0');
    expect(status.services.length).toBeGreaterThan(0);
  });
});
