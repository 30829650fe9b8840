import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiClient } from '../helpers/client.js';
import { SpecChecker } from '../helpers/spec.js';
import { startConsulCluster } from '../helpers/consul-cluster.js';
import type { ConsulCluster } from '../helpers/consul-cluster.js';
import { startProcess, waitForPassing } from '../../scripts/lib/cluster.js';
import type { Cluster } from '../../scripts/lib/cluster.js';

interface Post {
  id: number;
  title: string;
  score?: number;
}

describe('a user scenario across services, through the gateway', () => {
  const checker = new SpecChecker();
  let running: ConsulCluster | undefined;
  let consul: ConsulCluster['consul'];
  let cluster: Cluster;
  let dataDir: string;
  let api: ApiClient;

  beforeAll(async () => {
    running = await startConsulCluster({ votes: 2 });
    ({ consul, cluster } = running);
    dataDir = running.dataDir;
    api = new ApiClient(cluster.gateway.url, checker);
  }, 60_000);

  afterAll(async () => {
    await running?.stop();
  }, 30_000);

  it('users sign up, post, vote, read top and hot lists and message each other', async () => {
    for (const username of ['alice', 'bob', 'carol', 'dave']) {
      const created = await api.post('/users', { username, email: `${username}@example.com` });
      expect(created.status).toBe(201);
      expect(created.headers.get('x-served-by')).toMatch(/^users-1 http:\/\/127\.0\.0\.1:\d+$/);
    }
    const duplicate = await api.post('/users', { username: 'alice', email: 'another@example.com' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toBe('username already taken');

    const titles = ['Ship it', 'WAL explained', 'Breakers 101'];
    const posts: Post[] = [];
    for (const [index, title] of titles.entries()) {
      const created = await api.post<Post>('/posts', { title, community: 'dev', username: ['alice', 'bob', 'carol'][index], text: `about ${title}` });
      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toBe(`/posts/${created.body.id}`);
      posts.push(created.body);
    }
    const [ship, wal, breakers] = posts as [Post, Post, Post];

    // WAL gets 3 up, Breakers 2 up and 1 down, Ship it 1 down; bob double-clicks.
    const votes: Array<[Post, string, 'up' | 'down']> = [
      [wal, 'alice', 'up'], [wal, 'bob', 'up'], [wal, 'bob', 'up'], [wal, 'carol', 'up'],
      [breakers, 'alice', 'up'], [breakers, 'dave', 'up'], [breakers, 'bob', 'down'],
      [ship, 'dave', 'down'],
    ];
    const servedBy = new Set<string>();
    for (const [post, username, direction] of votes) {
      const res = await api.put(`/votes/${post.id}/users/${username}`, { direction, community: 'dev' });
      expect([200, 201]).toContain(res.status);
      servedBy.add((res.headers.get('x-served-by') ?? '').split(' ')[0] ?? '');
    }
    // Round-robin over both votes instances, visible in X-Served-By.
    expect([...servedBy].sort()).toEqual(['votes-1', 'votes-2']);

    const top = await api.get<{ posts: Array<{ postId: number; score: number }> }>('/votes/top?community=dev&n=3');
    expect(top.status).toBe(200);
    expect(top.body.posts.map((post) => [post.postId, post.score])).toEqual([[wal.id, 3], [breakers.id, 1], [ship.id, -1]]);

    const hot = await api.get<{ sorted: boolean; posts: Post[] }>('/posts/hot?community=dev');
    expect(hot.body.sorted).toBe(true);
    expect(hot.body.posts.map((post) => post.title)).toEqual(['WAL explained', 'Breakers 101', 'Ship it']);

    const karma = await api.post<{ karma: number }>('/users/bob/karma', { delta: 3 });
    expect(karma.body.karma).toBe(3);

    const sent = await api.post<{ id: number }>('/messages', { from: 'alice', to: 'bob', contents: 'great WAL post' });
    expect(sent.status).toBe(201);
    const inbox = await api.get<{ messages: Array<{ id: number; from: string }> }>('/messages?to=bob');
    expect(inbox.body.messages).toEqual([expect.objectContaining({ id: sent.body.id, from: 'alice' })]);
    expect((await api.put<{ favorite: boolean }>(`/messages/${sent.body.id}/favorite`)).body.favorite).toBe(true);

    const recent = await api.get<{ posts: Array<Record<string, unknown>> }>('/posts?community=dev&n=2');
    expect(recent.body.posts.map((post) => post.title)).toEqual(['Breakers 101', 'WAL explained']);
  });

  it('relays 4xx answers as they are and answers JSON for unknown gateway routes', async () => {
    const bad = await api.request('POST', '/posts', { raw: '{"title":' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: 'malformed JSON in request body' });
    expect(bad.headers.get('x-served-by')).toMatch(/^posts-1 /);
    const missing = await api.get('/users/nobody_here');
    expect(missing.status).toBe(404);
    const nowhere = await fetch(`${cluster.gateway.url}/comments`);
    expect(nowhere.status).toBe(404);
    expect(await nowhere.json()).toEqual({ error: 'no route for GET /comments' });
  });

  it('scale out and in live (runbooks/scale.md): a new votes instance joins the rotation, a SIGTERMed one leaves it without failed calls', async () => {
    const extra = await startProcess({ name: 'votes', id: 'votes-3', consulUrl: consul.url, dataDir: dataDir });
    try {
      await waitForPassing(consul.url, 'votes', 3);
      const seen = new Set<string>();
      for (let i = 0; i < 30 && !seen.has('votes-3'); i += 1) {
        const res = await fetch(`${cluster.gateway.url}/votes/top`);
        expect(res.status).toBe(200);
        seen.add(res.headers.get('x-served-by')?.split(' ')[0] ?? '');
      }
      expect(seen.has('votes-3')).toBe(true);
      // Traffic keeps flowing while votes-3 leaves: it deregisters before it stops listening.
      let stopped = false;
      const leaving = extra.stop().then(() => {
        stopped = true;
      });
      const statuses: number[] = [];
      while (!stopped) statuses.push((await fetch(`${cluster.gateway.url}/votes/top`)).status);
      await leaving;
      for (let i = 0; i < 10; i += 1) {
        const res = await fetch(`${cluster.gateway.url}/votes/top`);
        statuses.push(res.status);
        expect(res.headers.get('x-served-by')).not.toMatch(/^votes-3 /);
      }
      expect(statuses.every((status) => status === 200)).toBe(true);
      expect(extra.child.exitCode).toBe(0);
    } finally {
      await extra.kill();
    }
  });

  it('when votes is down: hot answers unsorted with a reason, /votes answers a JSON 503', async () => {
    await Promise.all(cluster.byService('votes').map((instance) => instance.stop()));
    await waitForPassing(consul.url, 'votes', 0);
    const hot = await fetch(`${cluster.gateway.url}/posts/hot?community=dev`);
    expect(hot.status).toBe(200);
    const hotBody = (await hot.json()) as { sorted: boolean; reason: string; posts: Post[] };
    checker.check('GET', '/posts/hot', 200, hot.headers.get('content-type'), hotBody);
    expect(hotBody.sorted).toBe(false);
    expect(hotBody.reason).toMatch(/votes/);
    expect(hotBody.posts.map((post) => post.title)).toEqual(['Breakers 101', 'WAL explained', 'Ship it']);

    const top = await fetch(`${cluster.gateway.url}/votes/top`);
    expect(top.status).toBe(503);
    expect(top.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await top.json()).toMatchObject({ error: expect.stringMatching(/votes/), details: { service: 'votes' } });

    // The other services still answer.
    expect((await fetch(`${cluster.gateway.url}/users/alice`)).status).toBe(200);
  });
});
