import { afterEach, describe, expect, it } from '@jest/globals';
import { startDevConsul } from 'dev-consul';
import type { DevConsulHandle } from 'dev-consul';
import { waitFor } from 'process-supervisor';
import { startProcess, waitForPassing } from '../../scripts/lib/cluster.js';
import type { RunningProcess } from '../../scripts/lib/cluster.js';
import { tempDir } from '../helpers/apps.js';

/**
 * Blue/green between services: posts asks users whether an author is active on every new author, through the
 * discovery client with `color: 'active'`. `DISCOVERY_LOG_PICKS=info` makes posts log each instance it picks.
 */
describe('service-to-service calls follow the active color (real processes, dev-consul)', () => {
  let consul: DevConsulHandle | undefined;
  const running: RunningProcess[] = [];
  const temp = tempDir();

  afterEach(async () => {
    await Promise.all(running.map((process) => process.stop()));
    await consul?.close();
    temp.remove();
  });

  it('posts asks only the users instances of the active color, and switches when it changes', async () => {
    consul = await startDevConsul({ port: 0, logLevel: 'error' });
    const consulUrl = consul.url;
    const setActive = (color: string) => fetch(`${consulUrl}/v1/kv/discovery/users/active`, { method: 'PUT', body: color });
    await setActive('blue');
    const start = async (name: 'users' | 'posts', id: string, env: Record<string, string>): Promise<RunningProcess> => {
      const started = await startProcess({ name, id, consulUrl, dataDir: temp.dir, env: { DRAIN: '0', ...env } });
      running.push(started);
      return started;
    };
    const blue = await start('users', 'users-1', { COLOR: 'blue' });
    const green = await start('users', 'users-2', { COLOR: 'green' });
    const posts = await start('posts', 'posts-1', { DISCOVERY_LOG_PICKS: 'info' });
    await waitForPassing(consulUrl, 'users', 2);

    // Each post by a new author makes posts ask users once (an active author is remembered for 2 s).
    let author = 0;
    const postByNewAuthors = async (count: number): Promise<string[]> => {
      const from = posts.output.length;
      for (let i = 0; i < count; i += 1) {
        const username = `author_${(author += 1)}`;
        const signUp = await fetch(`${blue.url}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, email: `${username}@example.com` }) });
        expect(signUp.status).toBe(201);
        const post = await fetch(`${posts.url}/posts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'hello', community: 'colors', username }) });
        expect(post.status).toBe(201);
      }
      return posts.output.slice(from).flatMap((line) => /users using instance \d+: (\S+)/.exec(line)?.[1] ?? []);
    };

    const beforeFlip = await postByNewAuthors(6);
    expect(beforeFlip).toHaveLength(6);
    expect(beforeFlip.filter((url) => url !== blue.url)).toEqual([]);

    await setActive('green');
    // posts hears of the flip through its blocking query a moment later: once a call goes to green, the flip has reached it.
    await waitFor(async () => (await postByNewAuthors(1))[0] === green.url, { timeoutMs: 10_000, what: 'posts to ask the green users instance' });
    const afterFlip = await postByNewAuthors(6);
    expect(afterFlip).toHaveLength(6);
    expect(afterFlip.filter((url) => url !== green.url)).toEqual([]);
  }, 60_000);
});
