/**
 * The kinds of faults a conformance run through the gateway found (issue 11), each turned into the
 * right behaviour: one identity rule for usernames in every service, lengths counted in characters,
 * every answer JSON (malformed HTTP and OPTIONS included), absolute-form request targets, no internal
 * addresses in error bodies, 415 for a charset other than UTF-8.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from 'process-supervisor';
import { DiscoveryClient } from 'discovery-client';
import { ApiClient } from '../helpers/client.js';
import { SpecChecker } from '../helpers/spec.js';
import { startApp } from '../helpers/apps.js';
import type { TestApp } from '../helpers/apps.js';
import { rawRequest } from '../helpers/raw-http.js';
import { createStorage, testEngines } from '../../scripts/lib/storage.js';
import type { Storage } from '../../scripts/lib/storage.js';
import { VotesScoreSource, describeVotesError } from '../../src/posts/votes-score-source.js';
import { startStaticGateway } from '../helpers/static-gateway.js';
import type { StaticGateway } from '../helpers/static-gateway.js';
import { PostDirectory, UserDirectory, VotesRemoval } from '../../src/shared/service-directory.js';
import { httpDirectoryClient } from '../helpers/http-directory.js';

/** A port nothing listens on: connections are refused. */
const DEAD = 'http://127.0.0.1:1';

describe.each(testEngines())('conformance through the gateway on %s', (engine) => {
  const checker = new SpecChecker();
  const apps: Record<string, TestApp> = {};
  let storage: Storage;
  let postsDiscovery: DiscoveryClient;
  let gateway: StaticGateway;
  let api: ApiClient;

  beforeAll(async () => {
    storage = await createStorage(engine);
    for (const name of ['votes', 'users', 'messages'] as const) apps[name] = await startApp(name, storage);
    // posts ranks hot through a votes list whose only instance is down: its reason must not show the address.
    postsDiscovery = new DiscoveryClient({ logger: false, static: { votes: [{ id: 'votes-9', url: DEAD }] } });
    const deadVotes = postsDiscovery.service('votes', { timeout: 300, deadline: 1000, retry: { limit: 0 } });
    apps.posts = await startApp('posts', storage, { scores: new VotesScoreSource(deadVotes), describeScoreError: describeVotesError });
    gateway = await startStaticGateway(
      {
        votes: [{ id: 'votes-1', url: apps.votes!.url }],
        posts: [{ id: 'posts-1', url: apps.posts.url }],
        users: [{ id: 'users-1', url: apps.users!.url }],
        messages: [{ id: 'messages-1', url: apps.messages!.url }],
      },
      { timeout: 1000 },
    );
    api = new ApiClient(gateway.url, checker);
  });

  afterAll(async () => {
    await gateway.close();
    await postsDiscovery.close();
    for (const app of Object.values(apps)) await app.close();
    await storage.remove();
  });

  describe('a username is one identity regardless of case, in every service', () => {
    it('users: the same account (409 on sign-up again, found by the lower-case name, spelling kept)', async () => {
      expect((await api.post('/users', { username: 'Alice_x', email: 'alice_x@example.com' })).status).toBe(201);
      const again = await api.post('/users', { username: 'alice_x', email: 'other@example.com' });
      expect(again.status).toBe(409);
      const found = await api.get<{ username: string }>('/users/alice_x');
      expect(found.status).toBe(200);
      expect(found.body.username).toBe('Alice_x');
    });

    it('votes: one vote per person per post, whatever the case of the name', async () => {
      const first = await api.put<{ tally: { up: number } }>('/votes/501/users/Alice_x', { direction: 'up', community: 'general' });
      expect(first.status).toBe(201);
      const second = await api.put<{ tally: { up: number }; username: string }>('/votes/501/users/alice_x', { direction: 'up', community: 'general' });
      expect(second.status).toBe(200);
      expect(second.body.tally.up).toBe(1);
      expect(second.body.username).toBe('Alice_x');
      const changed = await api.put<{ tally: { up: number; down: number } }>('/votes/501/users/ALICE_X', { direction: 'down', community: 'general' });
      expect(changed.status).toBe(200);
      expect(changed.body.tally).toMatchObject({ up: 0, down: 1 });
      expect((await api.get('/votes/501/users/alice_X')).status).toBe(200);
      expect((await api.delete('/votes/501/users/aLiCe_x')).status).toBe(200);
      expect((await api.get('/votes/501')).body).toMatchObject({ up: 0, down: 0 });
    });

    it('messages: a message to Alice_x is in the inbox of alice_x', async () => {
      const sent = await api.post<{ id: number }>('/messages', { from: 'bob_x', to: 'Alice_x', contents: 'hello' });
      expect(sent.status).toBe(201);
      const inbox = await api.get<{ messages: Array<{ id: number }> }>('/messages?to=alice_x');
      expect(inbox.body.messages.map((message) => message.id)).toContain(sent.body.id);
    });
  });

  it('lengths count characters (code points), not UTF-16 units: a 300-emoji title fits, 301 do not', async () => {
    const emoji = '\u{1F600}';
    const fits = await api.post<{ title: string }>('/posts', { title: emoji.repeat(300), community: 'general', username: 'Alice_x' });
    expect(fits.status).toBe(201);
    expect(fits.body.title).toBe(emoji.repeat(300));
    const tooLong = await api.post<{ details: Array<{ field: string }> }>('/posts', { title: emoji.repeat(301), community: 'general', username: 'Alice_x' });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.details.map((detail) => detail.field)).toEqual(['title']);
  });

  it('415 for a JSON body in a charset other than UTF-8; UTF-8 in any spelling is fine', async () => {
    for (const charset of ['utf-16', 'UTF-16LE', 'latin1', 'utf-32']) {
      const res = await fetch(`${gateway.url}/users`, {
        method: 'POST',
        headers: { 'content-type': `application/json; charset=${charset}` },
        body: JSON.stringify({ username: 'charset_x', email: 'c@example.com' }),
      });
      expect({ charset, status: res.status, type: res.headers.get('content-type') }).toEqual({ charset, status: 415, type: expect.stringMatching(/^application\/json/) });
      expect(((await res.json()) as { error: string }).error).toMatch(/charset/);
    }
    const ok = await api.post('/users', { username: 'charset_x', email: 'c@example.com' }, { headers: { 'content-type': 'application/json; charset=UTF-8' } });
    expect(ok.status).toBe(201);
  });

  it('OPTIONS answers JSON with the allowed methods', async () => {
    const res = await fetch(`${gateway.url}/posts`, { method: 'OPTIONS' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS, POST');
    expect(await res.json()).toEqual({ allow: ['GET', 'HEAD', 'OPTIONS', 'POST'] });
  });

  it('a request target in absolute form is served like its path (no 502, no library message)', async () => {
    const { port } = new URL(gateway.url);
    const res = await rawRequest(gateway.url, `GET http://127.0.0.1:${port}/posts?n=1 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    expect(res.status).toBe(200);
    expect(res.headers['x-served-by']).toMatch(/^posts-1 /);
    expect(JSON.parse(res.body)).toEqual({ posts: [expect.objectContaining({ title: expect.any(String) })], version: '1.0' });
    const star = await rawRequest(gateway.url, `OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    expect(star.status).toBe(400);
    expect(JSON.parse(star.body)).toEqual({ error: 'the request target must be a path such as /posts' });
  });

  describe('malformed HTTP gets the right status with a JSON body, from the gateway and from a service', () => {
    const cases: Array<[string, string, number]> = [
      ['no Host header', 'GET /posts HTTP/1.1\r\nConnection: close\r\n\r\n', 400],
      ['a folded header', 'GET /posts HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n  b\r\n\r\n', 400],
      ['a bad chunk size', 'POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n', 400],
      ['two Content-Length headers', 'POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}', 400],
      ['Content-Length and Transfer-Encoding', 'POST /users HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n', 400],
      ['a header over 16 KiB', `GET /posts HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`, 431],
    ];
    it.each(cases)('%s', async (_label, request, status) => {
      for (const target of [gateway.url, apps.users!.url]) {
        const res = await rawRequest(target, request);
        expect({ target, status: res.status, type: res.headers['content-type'] }).toEqual({ target, status, type: expect.stringMatching(/^application\/json/) });
        expect(JSON.parse(res.body)).toEqual(expect.objectContaining({ error: expect.any(String) }));
      }
    });
  });

  it('no error body shows an instance address: 503 from the gateway, the reason of an unsorted hot list', async () => {
    const deadGateway = await startStaticGateway({ posts: [{ id: 'posts-9', url: DEAD }], votes: [], users: [], messages: [] }, { timeout: 500, retry: { limit: 0 } }, 'gateway-dead');
    try {
      for (const path of ['/posts', '/posts/1', '/votes/top']) {
        const res = await fetch(`${deadGateway.url}${path}`);
        const text = await res.text();
        expect({ path, status: res.status }).toEqual({ path, status: 503 });
        expect(res.headers.get('retry-after')).toBe('1');
        expect(text).not.toMatch(/127\.0\.0\.1|http:\/\//);
        expect(JSON.parse(text)).toMatchObject({ error: expect.stringMatching(/unavailable|down/), details: { service: path.split('/')[1] } });
      }
      const hot = await api.get<{ sorted: boolean; reason: string }>('/posts/hot');
      expect(hot.body.sorted).toBe(false);
      expect(hot.body.reason).toBe('votes unavailable: votes is unreachable');
    } finally {
      await deadGateway.close();
    }
  });
});

/**
 * What a reddit-like client expects, written in openapi.yaml: a post's community comes from the posts
 * service (no first vote can file it elsewhere), a deleted post leaves the top list, only active users
 * write, and a deactivated user can be reactivated. The services talk to each other as in production
 * (users, posts and votes looked up on writes), over HTTP to in-process apps.
 */
describe.each(testEngines())('services that ask each other on writes, on %s', (engine) => {
  const checker = new SpecChecker();
  let storage: Storage;
  const apps: Record<string, TestApp> = {};
  const urls = { users: '', posts: '', votes: '' };
  let api: Record<'users' | 'posts' | 'votes' | 'messages', ApiClient>;

  beforeAll(async () => {
    storage = await createStorage(engine);
    // No memory of active users here: every write asks users (the memory has its own test below).
    const users = new UserDirectory(httpDirectoryClient(() => urls.users), 0);
    apps.users = await startApp('users', storage);
    urls.users = apps.users.url;
    apps.posts = await startApp('posts', storage, { users, votes: new VotesRemoval(httpDirectoryClient(() => urls.votes)) });
    urls.posts = apps.posts.url;
    apps.votes = await startApp('votes', storage, { users, posts: new PostDirectory(httpDirectoryClient(() => urls.posts)) });
    urls.votes = apps.votes.url;
    apps.messages = await startApp('messages', storage, { users });
    api = {
      users: new ApiClient(apps.users.url, checker),
      posts: new ApiClient(apps.posts.url, checker),
      votes: new ApiClient(apps.votes.url, checker),
      messages: new ApiClient(apps.messages.url, checker),
    };
    for (const username of ['author', 'voter_a', 'voter_b', 'leaving']) {
      expect((await api.users.post('/users', { username, email: `${username}@example.com` })).status).toBe(201);
    }
  });

  afterAll(async () => {
    for (const app of Object.values(apps)) await app.close();
    await storage.remove();
  });

  const newPost = async (community: string): Promise<number> => {
    const res = await api.posts.post<{ id: number }>('/posts', { title: 'a post', community, username: 'author' });
    expect(res.status).toBe(201);
    return res.body.id;
  };

  it('a first vote naming another community neither fixes nor blocks the post: the community comes from posts', async () => {
    const id = await newPost('real_c');
    const hostile = await api.votes.put(`/votes/${id}/users/voter_a`, { direction: 'up', community: 'wrong_c' });
    expect(hostile.status).toBe(409);
    expect(hostile.body).toMatchObject({ error: `post ${id} belongs to community "real_c"` });
    const first = await api.votes.put<{ tally: { community: string; up: number } }>(`/votes/${id}/users/voter_a`, { direction: 'up' });
    expect(first.status).toBe(201);
    expect(first.body.tally).toMatchObject({ community: 'real_c', up: 1 });
    expect((await api.votes.put(`/votes/${id}/users/voter_b`, { direction: 'up', community: 'real_c' })).status).toBe(201);
    expect((await api.votes.get<{ posts: Array<{ postId: number }> }>('/votes/top?community=wrong_c')).body.posts).toEqual([]);
  });

  it('a vote on a post that does not exist is a 404', async () => {
    const res = await api.votes.put('/votes/987654/users/voter_a', { direction: 'up' });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: 'post 987654 not found' });
  });

  it('a deleted post leaves /votes/top with its votes, and cannot be voted on again', async () => {
    const id = await newPost('deleting');
    await api.votes.put(`/votes/${id}/users/voter_a`, { direction: 'up' });
    expect((await api.votes.get<{ posts: Array<{ postId: number }> }>('/votes/top?community=deleting')).body.posts.map((post) => post.postId)).toEqual([id]);
    expect((await api.posts.delete(`/posts/${id}`)).status).toBe(200);
    expect((await api.votes.get<{ posts: unknown[] }>('/votes/top?community=deleting')).body.posts).toEqual([]);
    expect((await api.votes.get(`/votes/${id}`)).body).toMatchObject({ up: 0, down: 0, community: null });
    const late = await api.votes.put(`/votes/${id}/users/voter_b`, { direction: 'up', community: 'deleting' });
    expect(late.status).toBe(404);
    expect(late.body).toMatchObject({ error: `post ${id} not found` });
  });

  it('when votes cannot be told, a post is not deleted: 503, and the post is still there', async () => {
    const id = await newPost('kept');
    const saved = urls.votes;
    urls.votes = DEAD;
    try {
      const res = await api.posts.delete(`/posts/${id}`);
      expect(res.status).toBe(503);
      expect(JSON.stringify(res.body)).not.toMatch(/127\.0\.0\.1/);
    } finally {
      urls.votes = saved;
    }
    expect((await api.posts.get(`/posts/${id}`)).status).toBe(200);
    expect((await api.posts.delete(`/posts/${id}`)).status).toBe(200);
  });

  it('only active users write: 404 for nobody, 409 once deactivated; reactivated, they write again', async () => {
    const id = await newPost('activity');
    expect((await api.posts.post('/posts', { title: 't', community: 'activity', username: 'nobody_here' })).status).toBe(404);
    expect((await api.users.post('/users/leaving/deactivate')).status).toBe(200);
    const refused = [
      await api.posts.post('/posts', { title: 't', community: 'activity', username: 'leaving' }),
      await api.votes.put(`/votes/${id}/users/LEAVING`, { direction: 'up' }),
      await api.messages.post('/messages', { from: 'leaving', to: 'author', contents: 'hi' }),
      await api.messages.post('/messages', { from: 'author', to: 'leaving', contents: 'hi' }),
    ];
    expect(refused.map((res) => [res.status, res.body.error])).toEqual([
      [409, 'user leaving is deactivated'],
      [409, 'user LEAVING is deactivated'],
      [409, 'user leaving is deactivated'],
      [409, 'user leaving is deactivated'],
    ]);
    const back = await api.users.post<{ active: boolean }>('/users/leaving/reactivate');
    expect(back.status).toBe(200);
    expect(back.body.active).toBe(true);
    expect((await api.posts.post('/posts', { title: 't', community: 'activity', username: 'leaving' })).status).toBe(201);
    expect((await api.votes.put(`/votes/${id}/users/leaving`, { direction: 'up' })).status).toBe(201);
  });

  it('a user found active is remembered for the TTL: a deactivation counts within it', async () => {
    expect((await api.users.post('/users', { username: 'briefly', email: 'briefly@example.com' })).status).toBe(201);
    const TTL_MS = 300;
    const remembering = new UserDirectory(httpDirectoryClient(() => urls.users), TTL_MS);
    const firstAsked = Date.now();
    await expect(remembering.requireActive('briefly')).resolves.toBeUndefined();
    expect((await api.users.post('/users/briefly/deactivate')).status).toBe(200);
    await expect(remembering.requireActive('BRIEFLY')).resolves.toBeUndefined();
    // Once the TTL has passed it asks again and hears of the deactivation; not before.
    const refused = await waitFor(() => remembering.requireActive('briefly').then(() => undefined, (error: unknown) => error), { timeoutMs: 5000, what: 'the remembered answer to expire' });
    expect(Date.now() - firstAsked).toBeGreaterThanOrEqual(TTL_MS);
    expect(refused).toMatchObject({ message: 'user briefly is deactivated' });
  });

  it('when users cannot be reached, writes that need it answer 503 without an address', async () => {
    const saved = urls.users;
    urls.users = DEAD;
    try {
      const res = await api.messages.post('/messages', { from: 'author', to: 'voter_a', contents: 'hi' });
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ error: 'users is unavailable, retry later' });
      expect(JSON.stringify(res.body)).not.toMatch(/127\.0\.0\.1/);
    } finally {
      urls.users = saved;
    }
  });
});
