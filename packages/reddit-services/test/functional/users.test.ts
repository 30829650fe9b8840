import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiClient } from '../helpers/client.js';
import { SpecChecker } from '../helpers/spec.js';
import { startApp } from '../helpers/apps.js';
import { createStorage, testEngines } from '../../scripts/lib/storage.js';
import type { Storage } from '../../scripts/lib/storage.js';
import type { TestApp } from '../helpers/apps.js';

interface User {
  username: string;
  email: string;
  karma: number;
  active: boolean;
}

describe.each(testEngines())('users service on %s', (engine) => {
  const checker = new SpecChecker();
  let storage: Storage;
  let users: TestApp;
  let api: ApiClient;

  beforeAll(async () => {
    storage = await createStorage(engine);
    users = await startApp('users', storage);
    api = new ApiClient(users.url, checker);
  });

  afterAll(async () => {
    await users.close();
    await storage.remove();
  });

  it('creates a user with karma 0: 201 and Location', async () => {
    const res = await api.post<User>('/users', { username: 'alice', email: 'alice@example.com' });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/users/alice');
    expect(res.body).toMatchObject({ username: 'alice', email: 'alice@example.com', karma: 0, active: true });
    expect((await api.get<User>('/users/alice')).body).toEqual({ ...res.body, version: '1.0' });
  });

  it('409 for a duplicate username or email, whatever the case', async () => {
    await api.post('/users', { username: 'bob', email: 'bob@example.com' });
    const sameName = await api.post('/users', { username: 'BOB', email: 'other@example.com' });
    expect(sameName.status).toBe(409);
    expect(sameName.body).toMatchObject({ error: 'username already taken', details: { field: 'username' } });
    const sameEmail = await api.post('/users', { username: 'bobby', email: 'Bob@Example.com' });
    expect(sameEmail.status).toBe(409);
    expect(sameEmail.body).toMatchObject({ error: 'email already taken', details: { field: 'email' } });
  });

  it('updates the email; 409 when another user has it; 404 for nobody', async () => {
    await api.post('/users', { username: 'carol', email: 'carol@example.com' });
    const updated = await api.patch<User>('/users/carol', { email: 'carol@new.example.com' });
    expect(updated.status).toBe(200);
    expect(updated.body.email).toBe('carol@new.example.com');
    expect((await api.patch('/users/carol', { email: 'alice@example.com' })).status).toBe(409);
    expect((await api.patch('/users/nobody', { email: 'n@example.com' })).status).toBe(404);
  });

  it('increments and decrements karma', async () => {
    await api.post('/users', { username: 'dave', email: 'dave@example.com' });
    expect((await api.post<User>('/users/dave/karma', { delta: 5 })).body.karma).toBe(5);
    expect((await api.post<User>('/users/dave/karma', { delta: -7 })).body.karma).toBe(-2);
    expect((await api.get<User>('/users/dave')).body.karma).toBe(-2);
    expect((await api.post('/users/nobody/karma', { delta: 1 })).status).toBe(404);
  });

  it('deactivates (twice is fine); a deactivated user cannot change: 409', async () => {
    await api.post('/users', { username: 'erin', email: 'erin@example.com' });
    const off = await api.post<User>('/users/erin/deactivate');
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect((await api.post<User>('/users/erin/deactivate')).status).toBe(200);
    expect((await api.post('/users/erin/karma', { delta: 1 })).status).toBe(409);
    expect((await api.patch('/users/erin', { email: 'e2@example.com' })).status).toBe(409);
    expect((await api.post('/users/nobody/deactivate')).status).toBe(404);
    expect((await api.get('/users/nobody')).status).toBe(404);
  });

  describe('bad input', () => {
    it.each([
      ['missing email', { username: 'frank' }, 'email'],
      ['bad email', { username: 'frank', email: 'not-an-email' }, 'email'],
      ['email too long', { username: 'frank', email: `${'a'.repeat(250)}@example.com` }, 'email'],
      ['short username', { username: 'fr', email: 'f@example.com' }, 'username'],
      ['username with slash', { username: 'fr/ank', email: 'f@example.com' }, 'username'],
      ['username as number', { username: 12345, email: 'f@example.com' }, 'username'],
      ['karma in create', { username: 'frank', email: 'f@example.com', karma: 1000 }, 'karma'],
    ])('create: 400 for %s', async (_label, body, field) => {
      const res = await api.post<{ details: Array<{ field: string }> }>('/users', body);
      expect(res.status).toBe(400);
      expect(res.body.details.map((detail) => detail.field)).toContain(field);
    });

    it.each([
      ['a fraction', { delta: 1.5 }],
      ['a string', { delta: '5' }],
      ['too much', { delta: 1001 }],
      ['nothing', {}],
      ['an extra field', { delta: 1, reason: 'x' }],
    ])('karma: 400 for %s', async (_label, body) => {
      await api.post('/users', { username: 'gina', email: 'gina@example.com' });
      expect((await api.post('/users/gina/karma', body)).status).toBe(400);
    });

    it('update: 400 for unknown fields and a bad username in the path', async () => {
      expect((await api.patch('/users/alice', { email: 'a@example.com', karma: 5 })).status).toBe(400);
      expect((await api.patch('/users/alice', {})).status).toBe(400);
      expect((await api.get('/users/a')).status).toBe(400);
      expect((await api.post('/users/a/deactivate')).status).toBe(400);
    });

    it('400 for malformed JSON, 413 for a huge body', async () => {
      expect((await api.request('POST', '/users', { raw: '{"username":' })).status).toBe(400);
      expect((await api.request('PATCH', '/users/alice', { raw: 'nope' })).status).toBe(400);
      expect((await api.post('/users', { username: 'huge', email: `${'x'.repeat(70_000)}@example.com` })).status).toBe(413);
    });
  });
});
