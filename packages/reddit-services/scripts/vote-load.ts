/**
 * Write-heavy benchmark: `npx tsx packages/reddit-services/scripts/vote-load.ts [options]` (build
 * first: `npx tsc -p packages/reddit-services/tsconfig.json`).
 *
 * Starts dev-consul, `--instances` votes instances (one of each other service) and the gateway on the
 * chosen engine, creates `--posts` posts, then `--users` users vote without pause for `--duration`
 * seconds: each user walks the posts in order and, once through them all, goes round again with the
 * other direction, so every PUT is a write (insert, then direction changes). Prints throughput and
 * latency and checks that the final direction of every vote whose last PUT got a 2xx is stored and
 * that counts match the rows. Exit code 1 when a check fails.
 *
 * Options: --database sqlite|postgres (default sqlite) --instances 3 --users 100 --duration 20 --posts 200
 */
import { performance } from 'node:perf_hooks';
import { startDevConsul } from 'dev-consul';
import { parseCommandLine, readChoice, readNumber } from 'cli-kit';
import { startCluster } from './lib/cluster.js';
import { createStorage } from './lib/storage.js';
import type { Engine } from './lib/storage.js';
import { withPostgresAdmin } from './lib/postgres-admin.js';
import { verifyVotes } from './lib/verify.js';

const USAGE = `Usage: npx tsx packages/reddit-services/scripts/vote-load.ts [options]
       (build first: npx tsc -p packages/reddit-services/tsconfig.json)

Write-heavy benchmark: users PUT votes without pause through the gateway for a while, on SQLite or
PostgreSQL; then every vote whose last PUT got a 2xx is checked in the stored data. Exit 1 when a check fails.

Options:
  --database ENGINE   sqlite (default) or postgres (REDDIT_TEST_POSTGRES_URL, else a server started for the run)
  --instances N       votes instances (default 3)
  --users N           concurrent users (default 100)
  --duration S        seconds of load (default 20)
  --posts N           posts the users vote on (default 200)
  -h, --help          show this help
`;
const { engine, instances, users, durationS, postCount } = parseCommandLine(
  {
    program: 'vote-load',
    usage: USAGE,
    options: { instances: { type: 'string' }, users: { type: 'string' }, duration: { type: 'string' }, posts: { type: 'string' }, database: { type: 'string' } },
  },
  ({ values }) => {
    const count = (name: 'instances' | 'users' | 'duration' | 'posts', fallback: number): number => readNumber(`--${name}`, values[name], { default: fallback, integer: true, min: 1 });
    const engine: Engine = readChoice('--database', values.database, ['sqlite', 'postgres'], 'sqlite');
    return { engine, instances: count('instances', 3), users: count('users', 100), durationS: count('duration', 20), postCount: count('posts', 200) };
  },
);

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0);
}

async function main(adminUrl: string | undefined): Promise<void> {
  const storage = await createStorage(engine, adminUrl);
  const consul = await startDevConsul({ port: 0, logLevel: 'warn' });
  const cluster = await startCluster({ consulUrl: consul.url, dataDir: storage.dataDir, env: storage.env, counts: { posts: 1, users: 1, messages: 1, votes: instances } });
  const gateway = cluster.gateway.url;
  let failed: boolean;
  try {
    // Only active users vote and post: the voters and the author are created first.
    for (let u = 0; u <= users; u += 1) {
      const username = u === users ? 'bench_author' : `voter_${u}`;
      await fetch(`${gateway}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, email: `${username}@example.com` }) });
    }
    const posts: number[] = [];
    for (let i = 0; i < postCount; i += 1) {
      const response = await fetch(`${gateway}/posts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: `bench ${i}`, community: 'bench', username: 'bench_author' }),
      });
      posts.push(((await response.json()) as { id: number }).id);
    }

    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    /** Last acknowledged direction per vote; a vote whose last PUT failed has an unknown outcome and is left out. */
    const acknowledged = new Map<string, 'up' | 'down'>();
    const started = performance.now();
    const deadline = started + durationS * 1000;
    await Promise.all(
      Array.from({ length: users }, async (_, u) => {
        const username = `voter_${u}`;
        for (let k = 0; performance.now() < deadline; k += 1) {
          const postId = posts[(u + k) % posts.length] as number;
          const direction = Math.floor(k / posts.length) % 2 === 0 ? 'up' : 'down';
          const key = `${postId}/${username}`;
          const begin = performance.now();
          let status: number;
          try {
            const response = await fetch(`${gateway}/votes/${postId}/users/${username}`, {
              method: 'PUT',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ direction, community: 'bench' }),
              signal: AbortSignal.timeout(30_000),
            });
            await response.arrayBuffer();
            status = response.status;
          } catch {
            status = 0;
          }
          latencies.push(performance.now() - begin);
          statuses[status === 0 ? 'no answer' : String(status)] = (statuses[status === 0 ? 'no answer' : String(status)] ?? 0) + 1;
          if (status === 200 || status === 201) acknowledged.set(key, direction);
          else acknowledged.delete(key);
        }
      }),
    );
    const elapsedS = (performance.now() - started) / 1000;
    const sorted = latencies.sort((a, b) => a - b);
    const check = await verifyVotes(storage, acknowledged);
    process.stdout.write(
      [
        `vote load on ${engine}: ${users} users without pause, ${durationS} s, ${instances} votes instances, ${postCount} posts`,
        `  PUTs: ${latencies.length} in ${elapsedS.toFixed(1)} s = ${(latencies.length / elapsedS).toFixed(0)} writes/s`,
        `  latency: p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${(sorted[sorted.length - 1] ?? 0).toFixed(1)} ms`,
        `  statuses: ${JSON.stringify(statuses)}`,
        `  stored: ${check.acknowledged - check.missing.length - check.wrongDirection.length}/${check.acknowledged} final directions; count mismatches ${check.tallyMismatches.length}; integrity ${check.integrity}`,
      ].join('\n') + '\n',
    );
    failed = check.missing.length > 0 || check.wrongDirection.length > 0 || check.tallyMismatches.length > 0 || check.integrity !== 'ok';
  } finally {
    await cluster.stop();
    await consul.close();
    await storage.remove();
  }
  if (failed) {
    process.stdout.write('FAILED: an acknowledged vote is missing or counts do not match\n');
    process.exit(1);
  }
}

withPostgresAdmin(engine, main).catch((error: unknown) => {
  process.stderr.write(`vote load failed to run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
