import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiClient } from '../helpers/client.js';
import { SpecChecker } from '../helpers/spec.js';
import { startApp } from '../helpers/apps.js';
import { createStorage, testEngines } from '../../scripts/lib/storage.js';
import type { Storage } from '../../scripts/lib/storage.js';
import type { Message } from '../../src/messages/messages-store.js';
import type { TestApp } from '../helpers/apps.js';

describe.each(testEngines())('messages service on %s', (engine) => {
  const checker = new SpecChecker();
  let storage: Storage;
  let messages: TestApp;
  let api: ApiClient;

  beforeAll(async () => {
    storage = await createStorage(engine);
    messages = await startApp('messages', storage);
    api = new ApiClient(messages.url, checker);
  });

  afterAll(async () => {
    await messages.close();
    await storage.remove();
  });

  it('sends a message: 201, Location, server timestamp when none given', async () => {
    const before = Date.now();
    const res = await api.post<Message>('/messages', { from: 'alice', to: 'bob', contents: 'hi bob' });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/messages/${res.body.id}`);
    expect(res.body).toMatchObject({ from: 'alice', to: 'bob', contents: 'hi bob', flag: null, favorite: false });
    expect(Date.parse(res.body.timestamp)).toBeGreaterThanOrEqual(before - 1000);
    expect((await api.get<Message>(`/messages/${res.body.id}`)).body).toEqual({ ...res.body, version: '1.0' });
  });

  it('keeps a given timestamp (normalised to UTC) and a flag', async () => {
    const res = await api.post<Message>('/messages', { from: 'alice', to: 'bob', contents: 'later', flag: 'urgent', timestamp: '2026-01-31T13:00:00+01:00' });
    expect(res.body).toMatchObject({ timestamp: '2026-01-31T12:00:00.000Z', flag: 'urgent' });
  });

  it('lists the newest messages to a user', async () => {
    const sent: number[] = [];
    for (let i = 0; i < 3; i += 1) sent.push((await api.post<Message>('/messages', { from: 'carol', to: 'dave', contents: `m${i}` })).body.id);
    const inbox = await api.get<{ messages: Message[] }>('/messages?to=dave&n=2');
    expect(inbox.body.messages.map((message) => message.id)).toEqual([sent[2], sent[1]]);
  });

  it('marks and unmarks a favorite, idempotently', async () => {
    const { body } = await api.post<Message>('/messages', { from: 'alice', to: 'bob', contents: 'keep this' });
    expect((await api.put<Message>(`/messages/${body.id}/favorite`)).body.favorite).toBe(true);
    expect((await api.put<Message>(`/messages/${body.id}/favorite`)).body.favorite).toBe(true);
    expect((await api.get<Message>(`/messages/${body.id}`)).body.favorite).toBe(true);
    expect((await api.delete<Message>(`/messages/${body.id}/favorite`)).body.favorite).toBe(false);
    expect((await api.put('/messages/987654/favorite')).status).toBe(404);
    expect((await api.delete('/messages/987654/favorite')).status).toBe(404);
  });

  it('deletes a message, then 404', async () => {
    const { body } = await api.post<Message>('/messages', { from: 'alice', to: 'bob', contents: 'oops' });
    expect((await api.delete(`/messages/${body.id}`)).body).toEqual({ id: body.id, deleted: true });
    expect((await api.get(`/messages/${body.id}`)).status).toBe(404);
    expect((await api.delete(`/messages/${body.id}`)).status).toBe(404);
  });

  describe('bad input', () => {
    it.each([
      ['missing to', { from: 'alice', contents: 'x' }, 'to'],
      ['empty contents', { from: 'alice', to: 'bob', contents: '' }, 'contents'],
      ['contents too long', { from: 'alice', to: 'bob', contents: 'x'.repeat(10001) }, 'contents'],
      ['contents as object', { from: 'alice', to: 'bob', contents: { text: 'x' } }, 'contents'],
      ['flag too long', { from: 'alice', to: 'bob', contents: 'x', flag: 'f'.repeat(33) }, 'flag'],
      ['bad timestamp', { from: 'alice', to: 'bob', contents: 'x', timestamp: 'yesterday' }, 'timestamp'],
      ['impossible date', { from: 'alice', to: 'bob', contents: 'x', timestamp: '2026-13-45T99:00:00Z' }, 'timestamp'],
      ['favorite on send', { from: 'alice', to: 'bob', contents: 'x', favorite: true }, 'favorite'],
    ])('send: 400 for %s', async (_label, body, field) => {
      const res = await api.post<{ details: Array<{ field: string }> }>('/messages', body);
      expect(res.status).toBe(400);
      expect(res.body.details.map((detail) => detail.field)).toContain(field);
    });

    it('400 for bad ids, a bad inbox query, malformed JSON; 413 for a huge body', async () => {
      expect((await api.get('/messages/x1')).status).toBe(400);
      expect((await api.delete('/messages/0')).status).toBe(400);
      expect((await api.put('/messages/1e3/favorite')).status).toBe(400);
      expect((await api.get('/messages')).status).toBe(400);
      expect((await api.get('/messages?to=b')).status).toBe(400);
      expect((await api.get('/messages?to=bob&n=-1')).status).toBe(400);
      expect((await api.request('POST', '/messages', { raw: '{"from":"alice",}' })).status).toBe(400);
      expect((await api.post('/messages', { from: 'alice', to: 'bob', contents: 'x'.repeat(100_000) })).status).toBe(413);
    });
  });
});
