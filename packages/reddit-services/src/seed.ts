#!/usr/bin/env node
/**
 * `make seedReddit`: loads sample users, posts, votes and messages through the gateway
 * (GATEWAY_URL, else http://127.0.0.1:$GATEWAY_PORT, the variable `make startReddit` reads; default
 * port 2015). Safe to run twice: existing users are kept, votes are upserts; posts and messages are
 * added again.
 */
import { parseCommandLine } from 'cli-kit';
import { DEFAULT_GATEWAY_PORT } from './shared/config.js';

const USAGE = `Usage: node packages/reddit-services/dist/seed.js
       (make seedReddit)

Loads sample users, posts, votes and messages through the gateway. Safe to run twice: existing users
are kept, votes are upserts; posts and messages are added again.

Options:
  -h, --help   show this help

Environment:
  GATEWAY_URL    the gateway (default http://127.0.0.1:$GATEWAY_PORT)
  GATEWAY_PORT   its port when GATEWAY_URL is not set (default ${DEFAULT_GATEWAY_PORT})
`;

parseCommandLine({ program: 'seed', usage: USAGE });

const GATEWAY = (process.env.GATEWAY_URL || `http://127.0.0.1:${process.env.GATEWAY_PORT || DEFAULT_GATEWAY_PORT}`).replace(/\/$/, '');

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
const POSTS = [
  { community: 'typescript', username: 'alice', title: 'TypeScript 6 strict mode: what changed', url: 'https://www.typescriptlang.org/' },
  { community: 'typescript', username: 'bob', title: 'verbatimModuleSyntax saved my build', text: 'Type-only imports are explicit now.' },
  { community: 'typescript', username: 'carol', title: 'Branded ids without runtime cost' },
  { community: 'nodejs', username: 'dave', title: 'Node 20 test runner vs jest', text: 'Which do you use and why?' },
  { community: 'nodejs', username: 'erin', title: 'Graceful shutdown: deregister first, then close', url: 'https://nodejs.org/api/process.html#signal-events' },
  { community: 'sqlite', username: 'frank', title: 'WAL mode and several writers', text: 'busy_timeout is your friend.' },
  { community: 'sqlite', username: 'alice', title: 'Online backups with VACUUM INTO', url: 'https://www.sqlite.org/lang_vacuum.html' },
];

async function call(method: string, path: string, json?: unknown): Promise<{ status: number; body: Record<string, unknown>; servedBy: string | null }> {
  const response = await fetch(`${GATEWAY}${path}`, {
    method,
    headers: json === undefined ? {} : { 'content-type': 'application/json' },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, servedBy: response.headers.get('x-served-by') };
}

function expectStatus(what: string, result: { status: number; body: unknown }, ...ok: number[]): void {
  if (!ok.includes(result.status)) throw new Error(`${what}: ${result.status} ${JSON.stringify(result.body)}`);
}

async function main(): Promise<void> {
  process.stdout.write(`seeding through ${GATEWAY}\n`);
  for (const username of USERS) {
    const result = await call('POST', '/users', { username, email: `${username}@example.com` });
    expectStatus(`user ${username}`, result, 201, 409);
  }
  const ids: Array<{ id: number; community: string }> = [];
  for (const post of POSTS) {
    const result = await call('POST', '/posts', post);
    expectStatus(`post "${post.title}"`, result, 201);
    ids.push({ id: result.body.id as number, community: post.community });
  }
  let votes = 0;
  for (const [index, post] of ids.entries()) {
    for (const [userIndex, username] of USERS.entries()) {
      if ((index + userIndex) % 3 === 0) continue;
      const direction = (index * 7 + userIndex) % 5 === 0 ? 'down' : 'up';
      const result = await call('PUT', `/votes/${post.id}/users/${username}`, { direction, community: post.community });
      expectStatus('vote', result, 200, 201);
      votes += 1;
    }
  }
  const messages = [
    { from: 'alice', to: 'bob', contents: 'Loved your post about verbatimModuleSyntax.' },
    { from: 'bob', to: 'alice', contents: 'Thanks! Backups next?', flag: 'reply' },
    { from: 'carol', to: 'alice', contents: 'Meetup on Thursday?' },
  ];
  for (const message of messages) expectStatus('message', await call('POST', '/messages', message), 201);
  await call('POST', '/users/alice/karma', { delta: 10 });

  const top = await call('GET', '/votes/top?n=3');
  const hot = await call('GET', '/posts/hot?community=typescript&n=3');
  process.stdout.write(`${USERS.length} users, ${ids.length} posts, ${votes} votes, ${messages.length} messages\n`);
  process.stdout.write(`top posts: ${JSON.stringify(top.body.posts)}  (served by ${top.servedBy})\n`);
  process.stdout.write(`hot in typescript: ${JSON.stringify(hot.body)}  (served by ${hot.servedBy})\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.stderr.write(`is the gateway up at ${GATEWAY}? start it with: make startReddit COUNT=3 (set GATEWAY_PORT, or GATEWAY_URL, to the same value for both)\n`);
  process.exit(1);
});
