import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from 'process-supervisor';
import { DiscoveryClient } from 'discovery-client';
import { ApiClient } from '../helpers/client.js';
import { SpecChecker } from '../helpers/spec.js';
import { startApp } from '../helpers/apps.js';
import { createStorage, testEngines } from '../../scripts/lib/storage.js';
import type { Storage } from '../../scripts/lib/storage.js';
import type { TestApp } from '../helpers/apps.js';
import { VotesScoreSource, describeVotesError } from '../../src/posts/votes-score-source.js';
import { startStaticGateway } from '../helpers/static-gateway.js';
import type { StaticGateway } from '../helpers/static-gateway.js';
import { serve } from '../../src/shared/http-server.js';
import type { ListeningServer } from 'server-ports';
import { createLogger } from '../../src/shared/logger.js';
import { UserDirectory } from '../../src/shared/service-directory.js';
import http from 'node:http';

/**
 * The gateway and "hot" wired through the real discovery client, with a static instance list
 * instead of Consul (the Consul path is covered by test/integration).
 */
describe.each(testEngines())('gateway (discovery client with static instances) on %s', (engine) => {
  let storage: Storage;
  const checker = new SpecChecker();
  const apps: Record<string, TestApp> = {};
  let postsDiscovery: DiscoveryClient;
  let gateway: StaticGateway;
  let api: ApiClient;

  beforeAll(async () => {
    storage = await createStorage(engine);
    for (const name of ['votes1', 'votes2', 'users', 'messages'] as const) {
      apps[name] = await startApp(name.startsWith('votes') ? 'votes' : (name as 'users' | 'messages'), storage);
    }
    const votesInstances = [
      { id: 'votes-1', url: apps.votes1!.url },
      { id: 'votes-2', url: apps.votes2!.url },
    ];
    postsDiscovery = new DiscoveryClient({ logger: false, static: { votes: votesInstances } });
    const votes = postsDiscovery.service('votes', { timeout: 300, deadline: 1500, retry: { limit: 1 } });
    apps.posts = await startApp('posts', storage, { scores: new VotesScoreSource(votes), describeScoreError: describeVotesError });
    gateway = await startStaticGateway(
      {
        votes: votesInstances,
        posts: [{ id: 'posts-1', url: apps.posts.url }],
        users: [{ id: 'users-1', url: apps.users!.url }],
        messages: [],
      },
      { timeout: 1000, breaker: { resetTimeout: 60_000 } },
    );
    api = new ApiClient(gateway.url, checker);
  });

  afterAll(async () => {
    await gateway.close();
    await postsDiscovery.close();
    for (const app of Object.values(apps)) await app.close();
    await storage.remove();
  });

  it('routes each prefix to its service and names the instance in X-Served-By', async () => {
    const user = await api.post('/users', { username: 'alice', email: 'alice@example.com' });
    expect(user.status).toBe(201);
    expect(user.headers.get('location')).toBe('/users/alice');
    expect(user.headers.get('x-served-by')).toBe(`users-1 ${apps.users!.url}`);
    const post = await api.post<{ id: number }>('/posts', { title: 'via gateway', community: 'gw', username: 'alice' });
    expect(post.status).toBe(201);
    expect(post.headers.get('x-served-by')).toBe(`posts-1 ${apps.posts!.url}`);
  });

  it('balances round-robin over the votes instances (both share one database)', async () => {
    const served: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const res = await api.put(`/votes/77/users/voter_${i}`, { direction: 'up', community: 'gw' });
      expect(res.status).toBe(201);
      served.push((res.headers.get('x-served-by') ?? '').split(' ')[0] ?? '');
    }
    expect(served.filter((id) => id === 'votes-1')).toHaveLength(3);
    expect(served.filter((id) => id === 'votes-2')).toHaveLength(3);
    expect((await api.get('/votes/77')).body).toMatchObject({ up: 6, score: 6 });
  });

  it('relays 4xx answers untouched, query strings included', async () => {
    const conflict = await api.post('/users', { username: 'alice', email: 'x@example.com' });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ error: 'username already taken' });
    const badQuery = await api.get('/posts?n=0');
    expect(badQuery.status).toBe(400);
    const malformed = await api.request('PUT', '/votes/1/users/alice', { raw: '{"direction":' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({ error: 'malformed JSON in request body' });
  });

  it('answers 413 itself for a body over 64 KiB, JSON 404 for other paths, and its own /health', async () => {
    const huge = await api.post('/posts', { title: 'x', community: 'gw', username: 'alice', text: 'x'.repeat(80_000) });
    expect(huge.status).toBe(413);
    expect(huge.headers.get('x-served-by')).toBeNull();
    const nowhere = await fetch(`${gateway.url}/admin`);
    expect(nowhere.status).toBe(404);
    expect(await nowhere.json()).toEqual({ error: 'no route for GET /admin' });
    expect(await (await fetch(`${gateway.url}/health`)).json()).toEqual({ status: 'ok', service: 'gateway', instance: 'gateway-test', version: '1.0' });
    const status = (await (await fetch(`${gateway.url}/gateway/status`)).json()) as { services: unknown[] };
    expect(status.services.length).toBeGreaterThan(0);
  });

  it('hot: posts ranks through the discovery client', async () => {
    const ids: number[] = [];
    for (const title of ['one', 'two', 'three']) ids.push((await api.post<{ id: number }>('/posts', { title, community: 'ranked', username: 'alice' })).body.id);
    await api.put(`/votes/${ids[0]}/users/bob`, { direction: 'up', community: 'ranked' });
    await api.put(`/votes/${ids[0]}/users/carol`, { direction: 'up', community: 'ranked' });
    await api.put(`/votes/${ids[2]}/users/bob`, { direction: 'down', community: 'ranked' });
    const hot = await api.get<{ sorted: boolean; posts: Array<{ title: string; score: number }> }>('/posts/hot?community=ranked');
    expect(hot.body.sorted).toBe(true);
    expect(hot.body.posts.map((post) => [post.title, post.score])).toEqual([['one', 2], ['two', 0], ['three', -1]]);
  });

  it('a service with no instance: JSON 503 from the gateway', async () => {
    const res = await fetch(`${gateway.url}/messages?to=alice`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'all messages instances are down', details: { service: 'messages', code: 'ERR_NO_HEALTHY_INSTANCES' } });
  });

  it('one votes instance down: reads and PUTs fail over to the other; both down: 503, and hot unsorted', async () => {
    await apps.votes2!.close();
    for (let i = 0; i < 6; i += 1) {
      const res = await api.put(`/votes/88/users/failover_${i}`, { direction: 'up', community: 'gw' });
      expect(res.status).toBe(201);
      expect(res.headers.get('x-served-by')).toMatch(/^votes-1 /);
    }
    expect((await api.get('/votes/88')).body).toMatchObject({ up: 6 });
    await apps.votes1!.close();
    const down = await fetch(`${gateway.url}/votes/top`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ details: { service: 'votes' } });
    const hot = await api.get<{ sorted: boolean; reason: string; posts: Array<{ title: string }> }>('/posts/hot?community=ranked');
    expect(hot.status).toBe(200);
    expect(hot.body.sorted).toBe(false);
    expect(hot.body.reason).toMatch(/^votes unavailable: /);
    expect(hot.body.posts.map((post) => post.title)).toEqual(['three', 'two', 'one']);
  });
});

describe('load shedding', () => {
  it('an instance answers 503 overloaded with Retry-After beyond its in-flight limit, and recovers', async () => {
    const { createServiceApp } = await import('../../src/shared/service-app.js');
    const { Router } = await import('express');
    const router = Router();
    const gates: Array<() => void> = [];
    router.get('/slow', async (_req, res) => {
      await new Promise<void>((resolve) => gates.push(resolve));
      res.json({ ok: true });
    });
    const app = createServiceApp({ service: 'test', instanceId: 'test-1', router, logger: createLogger('silent'), maxInFlight: 2 });
    const server = await serve(app, 0);
    try {
      const held = [fetch(`${server.url}/slow`), fetch(`${server.url}/slow`)];
      await waitFor(() => gates.length === 2, { intervalMs: 5, what: 'two requests held' });
      const shed = await fetch(`${server.url}/slow`, { method: 'GET' });
      expect(shed.status).toBe(503);
      expect(shed.headers.get('retry-after')).toBe('1');
      expect(await shed.json()).toEqual({ error: 'overloaded', details: { inFlight: 2, maxInFlight: 2 } });
      gates.splice(0).forEach((open) => open());
      expect((await Promise.all(held)).map((response) => response.status)).toEqual([200, 200]);
      const after = fetch(`${server.url}/slow`);
      await waitFor(() => gates.length === 1, { intervalMs: 5, what: 'the next request held' });
      gates.splice(0).forEach((open) => open());
      expect((await after).status).toBe(200);
    } finally {
      gates.splice(0).forEach((open) => open());
      await server.close();
    }
  });
});

/** A pass-through HTTP proxy in front of `target` that notes the x-request-timeout-ms of every request it relays. */
async function recordingProxy(target: () => string, seen: number[]): Promise<ListeningServer> {
  return serve((req, res) => {
    seen.push(Number(req.headers['x-request-timeout-ms']));
    const upstream = http.request(`${target()}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }, 0);
}

/**
 * Deadline propagation end to end: a client -> the gateway -> posts -> users (the users check of a new post), each hop
 * a real server and the calls the real discovery client. Proxies in front of posts and users note the
 * x-request-timeout-ms each hop was told.
 */
describe.each(testEngines())('deadline propagation through the gateway on %s', (engine) => {
  let storage: Storage;
  const checker = new SpecChecker();
  const apps: Record<string, TestApp> = {};
  const proxies: ListeningServer[] = [];
  const toPosts: number[] = [];
  const toUsers: number[] = [];
  let postsDiscovery: DiscoveryClient;
  let gateway: StaticGateway;
  let api: ApiClient;

  beforeAll(async () => {
    storage = await createStorage(engine);
    apps.users = await startApp('users', storage);
    const usersProxy = await recordingProxy(() => apps.users!.url, toUsers);
    proxies.push(usersProxy);
    // posts asks users as production does (main.ts: 1 s per attempt), every time (no memory of active users)
    postsDiscovery = new DiscoveryClient({ logger: false, static: { users: [usersProxy.url] } });
    const users = postsDiscovery.service('users', { timeout: 1000, retry: { limit: 1 } });
    apps.posts = await startApp('posts', storage, { users: new UserDirectory(users, 0) });
    const postsProxy = await recordingProxy(() => apps.posts!.url, toPosts);
    proxies.push(postsProxy);
    gateway = await startStaticGateway(
      { posts: [{ id: 'posts-1', url: postsProxy.url }], users: [{ id: 'users-1', url: apps.users.url }], votes: [], messages: [] },
      { timeout: 2000 },
    );
    api = new ApiClient(gateway.url, checker);
    expect((await api.post('/users', { username: 'dora', email: 'dora@example.com' })).status).toBe(201);
  });

  afterAll(async () => {
    await gateway.close();
    await postsDiscovery.close();
    for (const proxy of proxies) await proxy.close();
    for (const app of Object.values(apps)) await app.close();
    await storage.remove();
  });

  const newPost = { title: 'deadlines', community: 'node', username: 'dora' };

  it('without a deadline from the client, each hop is told its caller\'s attempt timeout', async () => {
    toPosts.length = 0;
    toUsers.length = 0;
    expect((await api.post('/posts', newPost)).status).toBe(201);
    expect(toPosts).toEqual([2000]);
    expect(toUsers).toEqual([1000]);
  });

  it('with x-request-timeout-ms from the client, each hop is told no more than the hop before had left', async () => {
    toPosts.length = 0;
    toUsers.length = 0;
    const created = await api.request('POST', '/posts', { json: newPost, headers: { 'x-request-timeout-ms': '700' } });
    expect(created.status).toBe(201);
    expect(toPosts).toHaveLength(1);
    expect(toUsers).toHaveLength(1);
    const [posts, users] = [toPosts[0]!, toUsers[0]!];
    expect(posts).toBeGreaterThan(0);
    expect(posts).toBeLessThanOrEqual(700);
    // below posts' own 1 s timeout for users: the time left came down the chain
    expect(users).toBeGreaterThan(0);
    expect(users).toBeLessThanOrEqual(posts);
  });

  it('the gateway refuses a request whose time is up (504) or whose deadline is malformed (400), as JSON errors, relaying nothing', async () => {
    toPosts.length = 0;
    // the refusals any operation may get are in openapi.yaml's description, not in each operation's statuses
    const raw = new ApiClient(gateway.url);
    const expired = await raw.request<{ error: string; details: { reason: string } }>('POST', '/posts', { json: newPost, headers: { 'x-request-timeout-ms': '0' } });
    expect(expired.status).toBe(504);
    expect(expired.headers.get('retry-after')).toBe('1');
    expect(expired.body.details).toEqual({ reason: 'deadline_exceeded' });
    const malformed = await raw.request<{ error: string }>('GET', '/posts', { headers: { 'x-request-timeout-ms': '-1' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatch(/x-request-timeout-ms/);
    expect(toPosts).toEqual([]);
  });
});
