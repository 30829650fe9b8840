import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiClient } from '../helpers/client.js';
import { SpecChecker } from '../helpers/spec.js';
import { startApp } from '../helpers/apps.js';
import { createStorage, testEngines } from '../../scripts/lib/storage.js';
import type { Storage } from '../../scripts/lib/storage.js';
import type { TestApp } from '../helpers/apps.js';
import type { PostScore, ScoreSource } from '../../src/posts/score-source.js';

interface Post {
  id: number;
  title: string;
  text?: string;
  url?: string | null;
  community: string;
  username: string;
  createdAt: string;
  score?: number;
}

/** Scores from a real votes app over HTTP (production uses the discovery client instead). */
function httpScores(votesUrl: () => string): ScoreSource {
  return {
    async rank(ids) {
      const response = await fetch(`${votesUrl()}/votes/sort?ids=${ids.join(',')}`);
      if (!response.ok) throw new Error(`votes answered ${response.status}`);
      return ((await response.json()) as { posts: PostScore[] }).posts;
    },
  };
}

describe.each(testEngines())('posts service on %s', (engine) => {
  const checker = new SpecChecker();
  let storage: Storage;
  let posts: TestApp;
  let votes: TestApp;
  let votesUrl = '';
  let api: ApiClient;
  let votesApi: ApiClient;

  beforeAll(async () => {
    storage = await createStorage(engine);
    votes = await startApp('votes', storage);
    votesUrl = votes.url;
    posts = await startApp('posts', storage, { scores: httpScores(() => votesUrl) });
    api = new ApiClient(posts.url, checker);
    votesApi = new ApiClient(votes.url, checker);
  });

  afterAll(async () => {
    await posts.close();
    await votes.close();
    await storage.remove();
  });

  const newPost = (over: Record<string, unknown> = {}) => ({
    title: 'Hello',
    text: 'first post',
    community: 'general',
    url: 'https://example.com/a',
    username: 'alice',
    ...over,
  });

  it('creates a post: 201, Location, the stored post', async () => {
    const res = await api.post<Post>('/posts', newPost());
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/posts/${res.body.id}`);
    expect(res.body).toMatchObject({ title: 'Hello', text: 'first post', community: 'general', url: 'https://example.com/a', username: 'alice' });
    const fetched = await api.get<Post>(res.headers.get('location') ?? '');
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual({ ...res.body, version: '1.0' });
  });

  it('creates a post without text or URL', async () => {
    const res = await api.post<Post>('/posts', { title: 'Bare', community: 'general', username: 'bob' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ text: '', url: null });
  });

  it('lists the most recent posts overall and per community, without text and URL', async () => {
    const created: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const res = await api.post<Post>('/posts', newPost({ title: `list ${i}`, community: i % 2 === 0 ? 'listing' : 'other_list' }));
      created.push(res.body.id);
    }
    const overall = await api.get<{ posts: Post[] }>('/posts?n=3');
    expect(overall.status).toBe(200);
    expect(overall.body.posts.map((post) => post.id)).toEqual([created[4], created[3], created[2]]);
    for (const post of overall.body.posts) {
      expect(post).not.toHaveProperty('text');
      expect(post).not.toHaveProperty('url');
    }
    const community = await api.get<{ posts: Post[] }>('/posts?community=listing&n=10');
    expect(community.body.posts.map((post) => post.id)).toEqual([created[4], created[2], created[0]]);
    const empty = await api.get<{ posts: Post[] }>('/posts?community=nobody_here');
    expect(empty.body.posts).toEqual([]);
  });

  it('deletes a post, then 404 for it', async () => {
    const { body } = await api.post<Post>('/posts', newPost());
    const deleted = await api.delete(`/posts/${body.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ id: body.id, deleted: true });
    expect((await api.get(`/posts/${body.id}`)).status).toBe(404);
    expect((await api.delete(`/posts/${body.id}`)).status).toBe(404);
  });

  it('answers 404 with a JSON error for a missing post and an unknown route', async () => {
    const missing = await api.get('/posts/999999');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: 'post 999999 not found' });
    const raw = await fetch(`${posts.url}/nowhere`);
    expect(raw.status).toBe(404);
    expect(await raw.json()).toEqual({ error: 'no route for GET /nowhere' });
  });

  it('hot: recent posts of a community sorted by score, from the votes service', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 4; i += 1) ids.push((await api.post<Post>('/posts', newPost({ title: `hot ${i}`, community: 'hotstuff' }))).body.id);
    const [a, b, c, d] = ids as [number, number, number, number];
    const vote = (postId: number, user: string, direction: string) => votesApi.put(`/votes/${postId}/users/${user}`, { direction, community: 'hotstuff' });
    await vote(b, 'u_one', 'up');
    await vote(b, 'u_two', 'up');
    await vote(c, 'u_one', 'up');
    await vote(a, 'u_one', 'down');
    const hot = await api.get<{ sorted: boolean; community: string; posts: Post[] }>('/posts/hot?community=hotstuff&n=3');
    expect(hot.status).toBe(200);
    expect(hot.body.sorted).toBe(true);
    expect(hot.body.community).toBe('hotstuff');
    expect(hot.body.posts.map((post) => [post.id, post.score])).toEqual([[b, 2], [c, 1], [d, 0]]);
    const empty = await api.get<{ sorted: boolean; posts: Post[] }>('/posts/hot?community=quiet_place');
    expect(empty.body).toEqual({ community: 'quiet_place', sorted: true, posts: [], version: '1.0' });
  });

  it('hot: when votes is down, the unsorted recent list with sorted=false and a reason', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 3; i += 1) ids.push((await api.post<Post>('/posts', newPost({ title: `cold ${i}`, community: 'coldstuff' }))).body.id);
    const saved = votesUrl;
    votesUrl = 'http://127.0.0.1:1';
    try {
      const hot = await api.get<{ sorted: boolean; reason: string; posts: Post[] }>('/posts/hot?community=coldstuff');
      expect(hot.status).toBe(200);
      expect(hot.body.sorted).toBe(false);
      expect(hot.body.reason).toMatch(/^votes unavailable: /);
      expect(hot.body.posts.map((post) => post.id)).toEqual([...ids].reverse());
    } finally {
      votesUrl = saved;
    }
  });

  describe('bad input', () => {
    it.each([
      ['missing title', { community: 'general', username: 'alice' }, 'title'],
      ['empty title', newPost({ title: '' }), 'title'],
      ['title too long', newPost({ title: 'x'.repeat(301) }), 'title'],
      ['title not a string', newPost({ title: 42 }), 'title'],
      ['text too long', newPost({ text: 'x'.repeat(40001) }), 'text'],
      ['community with spaces', newPost({ community: 'two words' }), 'community'],
      ['community null', newPost({ community: null }), 'community'],
      ['url not http', newPost({ url: 'javascript:alert(1)' }), 'url'],
      ['url not a URL', newPost({ url: 'not a url' }), 'url'],
      ['bad username', newPost({ username: 'a' }), 'username'],
      ['unknown field', newPost({ votes: 1000 }), 'votes'],
      ['a NUL character', newPost({ title: 'a\u0000b' }), 'title'],
    ])('400 for %s', async (_label, body, field) => {
      const res = await api.post<{ error: string; details: Array<{ field: string }> }>('/posts', body);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid request body');
      expect(res.body.details.map((detail) => detail.field)).toContain(field);
    });

    it('400 for malformed JSON, a JSON array, a JSON string and a missing content type', async () => {
      const malformed = await api.request('POST', '/posts', { raw: '{"title": "x",' });
      expect(malformed.status).toBe(400);
      expect(malformed.body).toEqual({ error: 'malformed JSON in request body' });
      expect((await api.request('POST', '/posts', { raw: '[1,2]' })).status).toBe(400);
      expect((await api.request('POST', '/posts', { raw: '"title"' })).status).toBe(400);
      const noType = await api.request('POST', '/posts', { raw: JSON.stringify(newPost()), headers: { 'content-type': 'text/plain' } });
      expect(noType.status).toBe(400);
      expect(noType.body.error).toMatch(/Content-Type: application\/json/);
    });

    it('413 for a body over 64 KiB', async () => {
      const res = await api.post('/posts', newPost({ text: 'x'.repeat(70 * 1024) }));
      expect(res.status).toBe(413);
      expect(res.body.error).toBe('request body too large');
    });

    it('400 for a path that is not valid percent-encoding', async () => {
      const res = await api.get('/posts/%ZZ');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'malformed percent-encoding in the URL' });
    });

    it.each(['abc', '0', '-1', '1.5', '01', '99999999999999999999'])('400 for post id "%s"', async (id) => {
      expect((await api.get(`/posts/${id}`)).status).toBe(400);
      expect((await api.delete(`/posts/${id}`)).status).toBe(400);
    });

    it.each(['n=0', 'n=101', 'n=abc', 'n=1&n=2', 'community=no%20spaces', 'sort=new'])('400 for list query %s', async (query) => {
      expect((await api.get(`/posts?${query}`)).status).toBe(400);
      expect((await api.get(`/posts/hot?${query}`)).status).toBe(400);
    });
  });
});
