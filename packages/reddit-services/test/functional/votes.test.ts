import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiClient } from '../helpers/client.js';
import { SpecChecker } from '../helpers/spec.js';
import { startApp } from '../helpers/apps.js';
import { createStorage, testEngines } from '../../scripts/lib/storage.js';
import type { Storage } from '../../scripts/lib/storage.js';
import type { TestApp } from '../helpers/apps.js';
import { MAX_SORT_IDS } from '../../src/votes/votes-app.js';
import { maxSortIds } from '../../src/votes/sort-limit.js';
import { loadOpenApi } from '../../src/shared/openapi.js';

interface Tally {
  postId: number;
  community: string | null;
  up: number;
  down: number;
  score: number;
}

describe.each(testEngines())('votes service on %s', (engine) => {
  const checker = new SpecChecker();
  let storage: Storage;
  let votes: TestApp;
  let api: ApiClient;

  beforeAll(async () => {
    storage = await createStorage(engine);
    votes = await startApp('votes', storage);
    api = new ApiClient(votes.url, checker);
  });

  afterAll(async () => {
    await votes.close();
    await storage.remove();
  });

  const vote = (postId: number, username: string, direction: 'up' | 'down', community = 'general') =>
    api.put<{ direction: string; tally: Tally }>(`/votes/${postId}/users/${username}`, { direction, community });

  it('first vote: 201 with Location and the new tally; the same vote again: 200, unchanged', async () => {
    const first = await vote(1, 'alice', 'up');
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe('/votes/1/users/alice');
    expect(first.body.tally).toEqual({ postId: 1, community: 'general', up: 1, down: 0, score: 1 });
    const again = await vote(1, 'alice', 'up');
    expect(again.status).toBe(200);
    expect(again.body.tally).toEqual({ postId: 1, community: 'general', up: 1, down: 0, score: 1 });
  });

  it('a user may change a vote; counts follow', async () => {
    await vote(2, 'alice', 'up');
    await vote(2, 'bob', 'up');
    const changed = await vote(2, 'alice', 'down');
    expect(changed.status).toBe(200);
    expect(changed.body.direction).toBe('down');
    expect(changed.body.tally).toMatchObject({ up: 1, down: 1, score: 0 });
    const read = await api.get(`/votes/2/users/alice`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ postId: 2, username: 'alice', direction: 'down' });
  });

  it('reports counts of a post, zeros when nobody voted', async () => {
    await vote(3, 'alice', 'up');
    await vote(3, 'bob', 'up');
    await vote(3, 'carol', 'down');
    expect((await api.get('/votes/3')).body).toEqual({ postId: 3, community: 'general', up: 2, down: 1, score: 1, version: '1.0' });
    expect((await api.get('/votes/424242')).body).toEqual({ postId: 424242, community: null, up: 0, down: 0, score: 0, version: '1.0' });
  });

  it('takes a vote back; 404 when there is none', async () => {
    await vote(4, 'dave', 'up');
    const removed = await api.delete<{ tally: Tally }>('/votes/4/users/dave');
    expect(removed.status).toBe(200);
    expect(removed.body.tally).toMatchObject({ up: 0, down: 0, score: 0 });
    expect((await api.delete('/votes/4/users/dave')).status).toBe(404);
    expect((await api.get('/votes/4/users/dave')).status).toBe(404);
  });

  it('lists top posts overall and per community', async () => {
    for (const user of ['tu1', 'tu2', 'tu3']) await vote(100, user, 'up', 'topc');
    for (const user of ['tu1', 'tu2']) await vote(101, user, 'up', 'topc');
    await vote(102, 'tu1', 'down', 'topc');
    for (const user of ['tu1', 'tu2', 'tu3', 'tu4']) await vote(200, user, 'up', 'elsewhere');
    const community = await api.get<{ posts: Tally[] }>('/votes/top?community=topc&n=10');
    expect(community.body.posts.map((post) => [post.postId, post.score])).toEqual([[100, 3], [101, 2], [102, -1]]);
    const overall = await api.get<{ posts: Tally[] }>('/votes/top?n=2');
    expect(overall.body.posts.map((post) => post.postId)).toEqual([200, 100]);
  });

  it('sorts a list of post ids by score, unknown ids scoring 0, newer first on ties', async () => {
    const sorted = await api.get<{ posts: Tally[] }>('/votes/sort?ids=102,100,999,101,998');
    expect(sorted.status).toBe(200);
    expect(sorted.body.posts.map((post) => post.postId)).toEqual([100, 101, 999, 998, 102]);
  });

  it('409 when a post is voted on under another community', async () => {
    await vote(300, 'alice', 'up', 'first_one');
    const res = await vote(300, 'bob', 'up', 'second_one');
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: 'post 300 belongs to community "first_one"' });
    expect((await api.get('/votes/300')).body).toMatchObject({ up: 1 });
  });

  describe('bad input', () => {
    it.each([
      ['missing direction', { community: 'general' }, 'direction'],
      ['direction sideways', { direction: 'sideways', community: 'general' }, 'direction'],
      ['direction as number', { direction: 1, community: 'general' }, 'direction'],
      ['community too long', { direction: 'up', community: 'c'.repeat(33) }, 'community'],
      ['unknown field', { direction: 'up', community: 'general', weight: 10 }, 'weight'],
    ])('400 for %s', async (_label, body, field) => {
      const res = await api.put<{ details: Array<{ field: string }> }>('/votes/1/users/erin', body);
      expect(res.status).toBe(400);
      expect(res.body.details.map((detail) => detail.field)).toContain(field);
    });

    it('400 for a first vote without a community when there is no posts service to ask', async () => {
      const res = await api.put<{ details: Array<{ field: string }> }>('/votes/4711/users/erin', { direction: 'up' });
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([{ field: 'community', problem: 'is required' }]);
      expect((await api.put('/votes/4711/users/erin', { direction: 'up', community: 'general' })).status).toBe(201);
      expect((await api.put('/votes/4711/users/frank', { direction: 'up' })).status).toBe(201);
    });

    it('400 for bad ids and usernames in the path', async () => {
      expect((await api.put('/votes/abc/users/erin', { direction: 'up', community: 'general' })).status).toBe(400);
      expect((await api.put('/votes/1/users/x', { direction: 'up', community: 'general' })).status).toBe(400);
      expect((await api.put('/votes/1/users/bad%20name', { direction: 'up', community: 'general' })).status).toBe(400);
      expect((await api.get('/votes/-5')).status).toBe(400);
      expect((await api.get('/votes/1/users/x')).status).toBe(400);
      expect((await api.delete('/votes/0/users/erin')).status).toBe(400);
    });

    it('400 for malformed JSON, 413 for a huge body', async () => {
      expect((await api.request('PUT', '/votes/1/users/erin', { raw: '{direction: up}' })).status).toBe(400);
      expect((await api.request('PUT', '/votes/1/users/erin', { raw: JSON.stringify({ direction: 'up', community: 'x'.repeat(80_000) }) })).status).toBe(413);
    });

    it.each(['', 'ids=', 'ids=1,,2', 'ids=1,a', 'ids=0', 'ids=1&ids=2', `ids=${Array.from({ length: MAX_SORT_IDS + 1 }, (_, i) => i + 1).join(',')}`, 'ids=1&x=2'])(
      '400 for sort query "%s"',
      async (query) => {
        expect((await api.get(`/votes/sort?${query}`)).status).toBe(400);
      },
    );

    it('sorts as many ids as MAX_SORT_IDS, the limit openapi.yaml enforces (one more is a 400 above)', async () => {
      const ids = Array.from({ length: MAX_SORT_IDS }, (_, i) => i + 1);
      const sorted = await api.get<{ posts: unknown[] }>(`/votes/sort?ids=${ids.join(',')}`);
      expect({ status: sorted.status, count: sorted.body.posts.length }).toEqual({ status: 200, count: MAX_SORT_IDS });
    });

    it.each(['n=0', 'n=1000', 'n=x', 'community=%24%24'])('400 for top query %s', async (query) => {
      expect((await api.get(`/votes/top?${query}`)).status).toBe(400);
    });
  });
});

/** Another session holds the write lock: SQLite's file lock, or a PostgreSQL table lock. */
async function holdWriteLock(storage: Storage): Promise<{ release(): Promise<void> }> {
  if (storage.engine === 'sqlite') {
    const Sqlite = (await import('better-sqlite3')).default;
    const holder = new Sqlite(`${storage.dataDir}/votes.db`);
    holder.exec('BEGIN IMMEDIATE');
    return {
      release: async () => {
        holder.exec('ROLLBACK');
        holder.close();
      },
    };
  }
  const pg = (await import('pg')).default;
  const holder = new pg.Client({ connectionString: storage.databaseUrl, options: '-c search_path=votes' });
  await holder.connect();
  await holder.query('BEGIN');
  await holder.query('LOCK TABLE post_scores IN EXCLUSIVE MODE');
  return {
    release: async () => {
      await holder.query('ROLLBACK');
      await holder.end();
    },
  };
}

describe.each(testEngines())('votes service with its data locked by another session on %s', (engine) => {
  it('answers 503 with Retry-After after the lock timeout instead of failing the request with a 500', async () => {
    const storage = await createStorage(engine);
    const votes = await startApp('votes', storage, { busyTimeoutMs: 200 });
    const api = new ApiClient(votes.url);
    const lock = await holdWriteLock(storage);
    let released = false;
    try {
      const res = await api.put('/votes/1/users/alice', { direction: 'up', community: 'general' });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.body).toEqual({ error: 'database busy, retry later' });
      await lock.release();
      released = true;
      expect((await api.put('/votes/1/users/alice', { direction: 'up', community: 'general' })).status).toBe(201);
    } finally {
      if (!released) await lock.release();
      await votes.close();
      await storage.remove();
    }
  });
});

describe('the sort limit comes from openapi.yaml', () => {
  const withPattern = (pattern: string) => {
    const document = loadOpenApi();
    const sort = structuredClone(document.paths['/votes/sort']) as { get: { parameters: Array<Record<string, unknown>> } };
    sort.get.parameters = [{ name: 'ids', in: 'query', schema: { type: 'string', pattern } }];
    return { ...document, paths: { ...document.paths, '/votes/sort': sort } };
  };

  it('reads the bound of the pattern: one id and up to N more', () => {
    expect(maxSortIds(loadOpenApi())).toBe(MAX_SORT_IDS);
    expect(maxSortIds(withPattern('^[1-9][0-9]{0,15}(,[1-9][0-9]{0,15}){0,9}$'))).toBe(10);
  });

  it('refuses a pattern without a bounded repetition', () => {
    expect(() => maxSortIds(withPattern('^[1-9][0-9]*(,[1-9][0-9]*)*$'))).toThrow(/does not end in/);
  });
});
