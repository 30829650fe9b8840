/**
 * Simulated users for the system tests: each user registers, then until the deadline reads lists,
 * reads hot, opens posts, votes, posts and sends messages in a realistic mix, through the gateway.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LoadOptions {
  gatewayUrl: string;
  /** Concurrent simulated users. */
  users: number;
  durationMs: number;
  /** Pause between two requests of one user, ms: uniform in [0, thinkMs]. @default 10 */
  thinkMs?: number;
  /** Prefix of the usernames, unique per run. */
  prefix: string;
  /** @default ['general', 'news', 'pics', 'ask'] */
  communities?: string[];
  /** Per-request timeout, ms. @default 10000 */
  requestTimeoutMs?: number;
}

export interface LoadReport {
  requests: number;
  durationMs: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Count per status code ("network" for requests without an answer). */
  statuses: Record<string, number>;
  serverErrors: number;
  networkErrors: number;
  /** Distinct reasons of requests without an answer, with counts. */
  networkErrorReasons: Record<string, number>;
  /** Per action: count and 2xx count. */
  actions: Record<string, { count: number; ok: number }>;
  /** Every vote that got a 2xx: `${postId}/${username}` → direction. */
  acknowledgedVotes: Map<string, 'up' | 'down'>;
  /** Ids of posts that got a 201. */
  createdPosts: number[];
  /** Ids of messages that got a 201. */
  sentMessages: number[];
}

type Action = 'list' | 'listCommunity' | 'hot' | 'readPost' | 'vote' | 'createPost' | 'sendMessage' | 'readUser' | 'top';

/** Weights of the mix: mostly reads, a fifth votes, a few writes. */
export const MIX: ReadonlyArray<[Action, number]> = [
  ['listCommunity', 25],
  ['list', 10],
  ['hot', 15],
  ['readPost', 10],
  ['top', 5],
  ['vote', 22],
  ['createPost', 5],
  ['sendMessage', 5],
  ['readUser', 3],
];

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)] as T;
}

function pickAction(): Action {
  const total = MIX.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = Math.random() * total;
  for (const [action, weight] of MIX) {
    roll -= weight;
    if (roll < 0) return action;
  }
  return 'list';
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Runs the simulated users and reports what happened. */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const communities = options.communities ?? ['general', 'news', 'pics', 'ask'];
  const thinkMs = options.thinkMs ?? 10;
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const actions: Record<string, { count: number; ok: number }> = {};
  const acknowledgedVotes = new Map<string, 'up' | 'down'>();
  const createdPosts: number[] = [];
  const sentMessages: number[] = [];
  const knownPosts: Array<{ id: number; community: string }> = [];
  const networkErrorReasons: Record<string, number> = {};

  async function call(action: string, method: string, path: string, json?: unknown): Promise<{ status: number; body: Record<string, unknown> | undefined }> {
    const started = performance.now();
    let status: number;
    let retryAfterMs = 0;
    let body: Record<string, unknown> | undefined;
    try {
      const response = await fetch(`${options.gatewayUrl}${path}`, {
        method,
        headers: json === undefined ? {} : { 'content-type': 'application/json' },
        body: json === undefined ? undefined : JSON.stringify(json),
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      retryAfterMs = status === 503 ? Math.min(1000, Number(response.headers.get('retry-after') ?? 0) * 1000) : 0;
      const text = await response.text();
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        body = undefined;
      }
    } catch (error) {
      status = 0;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = `${(error as Error).name}: ${cause?.code ?? cause?.message ?? (error as Error).message}`;
      networkErrorReasons[reason] = (networkErrorReasons[reason] ?? 0) + 1;
    }
    latencies.push(performance.now() - started);
    const key = status === 0 ? 'network' : String(status);
    statuses[key] = (statuses[key] ?? 0) + 1;
    const entry = (actions[action] ??= { count: 0, ok: 0 });
    entry.count += 1;
    if (status >= 200 && status < 300) entry.ok += 1;
    // A well-behaved client honours Retry-After when an instance or the gateway sheds load.
    if (retryAfterMs > 0) await sleep(retryAfterMs);
    return { status, body };
  }

  const started = performance.now();
  const deadline = started + options.durationMs;

  async function user(index: number): Promise<void> {
    const username = `${options.prefix}${index}`.slice(0, 32);
    const voted = new Set<number>();
    await call('createUser', 'POST', '/users', { username, email: `${username}@load.example.com` });
    while (performance.now() < deadline) {
      const action = pickAction();
      const community = pick(communities);
      switch (action) {
        case 'list':
          await call(action, 'GET', '/posts?n=25');
          break;
        case 'listCommunity':
          await call(action, 'GET', `/posts?community=${community}&n=25`);
          break;
        case 'hot':
          await call(action, 'GET', `/posts/hot?community=${community}&n=10`);
          break;
        case 'top':
          await call(action, 'GET', `/votes/top?community=${community}&n=10`);
          break;
        case 'readPost': {
          const post = knownPosts.length > 0 ? pick(knownPosts) : undefined;
          if (post) await call(action, 'GET', `/posts/${post.id}`);
          break;
        }
        case 'vote': {
          // One vote per user per post in a run, so an acknowledged vote's direction is final.
          const post = knownPosts.length > 0 ? pick(knownPosts) : undefined;
          if (!post || voted.has(post.id)) break;
          voted.add(post.id);
          const direction = Math.random() < 0.8 ? 'up' : 'down';
          const result = await call(action, 'PUT', `/votes/${post.id}/users/${username}`, { direction, community: post.community });
          if (result.status === 200 || result.status === 201) acknowledgedVotes.set(`${post.id}/${username}`, direction);
          break;
        }
        case 'createPost': {
          const result = await call(action, 'POST', '/posts', { title: `post by ${username}`, text: 'load test', community, username });
          if (result.status === 201 && typeof result.body?.id === 'number') {
            createdPosts.push(result.body.id);
            knownPosts.push({ id: result.body.id, community });
          }
          break;
        }
        case 'sendMessage': {
          const to = `${options.prefix}${Math.floor(Math.random() * options.users)}`.slice(0, 32);
          const result = await call(action, 'POST', '/messages', { from: username, to, contents: 'hello from the load test' });
          if (result.status === 201 && typeof result.body?.id === 'number') sentMessages.push(result.body.id);
          break;
        }
        case 'readUser':
          await call(action, 'GET', `/users/${username}`);
          break;
      }
      if (thinkMs > 0) await sleep(Math.random() * thinkMs);
    }
  }

  // A few posts first, so reads and votes have something to work on from the start (by an active user).
  await call('createUser', 'POST', '/users', { username: `${options.prefix}seed`.slice(0, 32), email: `${options.prefix}seed@load.example.com` });
  for (let i = 0; i < 20; i += 1) {
    const community = communities[i % communities.length] ?? 'general';
    const result = await call('createPost', 'POST', '/posts', { title: `seed ${i}`, community, username: `${options.prefix}seed`.slice(0, 32) });
    if (result.status === 201 && typeof result.body?.id === 'number') {
      createdPosts.push(result.body.id);
      knownPosts.push({ id: result.body.id, community });
    }
  }
  const loadStarted = performance.now();
  await Promise.all(Array.from({ length: options.users }, (_, index) => user(index)));
  const durationMs = performance.now() - loadStarted;
  const sorted = [...latencies].sort((a, b) => a - b);
  const serverErrors = Object.entries(statuses)
    .filter(([status]) => status !== 'network' && Number(status) >= 500)
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    requests: latencies.length,
    durationMs,
    requestsPerSecond: latencies.length / (durationMs / 1000),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1] ?? 0,
    statuses,
    serverErrors,
    networkErrors: statuses.network ?? 0,
    networkErrorReasons,
    actions,
    acknowledgedVotes,
    createdPosts,
    sentMessages,
  };
}

/** One line per figure, for logs and the runbook. */
export function formatReport(title: string, report: LoadReport): string {
  return [
    `${title}`,
    `  requests: ${report.requests} in ${(report.durationMs / 1000).toFixed(1)} s = ${report.requestsPerSecond.toFixed(0)} req/s`,
    `  latency: p50 ${report.p50Ms.toFixed(1)} ms, p99 ${report.p99Ms.toFixed(1)} ms, max ${report.maxMs.toFixed(1)} ms`,
    `  statuses: ${JSON.stringify(report.statuses)}`,
    `  5xx: ${report.serverErrors}, no answer: ${report.networkErrors}${report.networkErrors > 0 ? ` ${JSON.stringify(report.networkErrorReasons)}` : ''}`,
    `  acknowledged: ${report.acknowledgedVotes.size} votes, ${report.createdPosts.length} posts, ${report.sentMessages.length} messages`,
  ].join('\n');
}
