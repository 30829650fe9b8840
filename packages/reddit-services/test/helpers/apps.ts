import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openServiceDatabase } from '../../src/shared/database.js';
import type { ServiceDatabase } from '../../src/shared/database.js';
import { serve } from '../../src/shared/http-server.js';
import { createLogger } from '../../src/shared/logger.js';
import { createPostsApp } from '../../src/posts/posts-app.js';
import { createVotesApp } from '../../src/votes/votes-app.js';
import { createUsersApp } from '../../src/users/users-app.js';
import { createMessagesApp } from '../../src/messages/messages-app.js';
import type { ScoreSource } from '../../src/posts/score-source.js';
import type { Storage } from '../../scripts/lib/storage.js';
import type { PostDirectory, UserDirectory, VotesRemoval } from '../../src/shared/service-directory.js';

/** What an in-process app may be wired to; each service takes the parts it uses. */
export interface AppDependencies {
  scores?: ScoreSource;
  describeScoreError?: (error: unknown) => string;
  busyTimeoutMs?: number;
  users?: UserDirectory;
  posts?: PostDirectory;
  votes?: VotesRemoval;
  /** The instance's VERSION. @default '1.0' */
  version?: string;
}

export type ServiceName = 'posts' | 'votes' | 'users' | 'messages';

export interface TestApp {
  url: string;
  database: ServiceDatabase;
  close(): Promise<void>;
}

/** A temp directory removed by the returned function. */
export function tempDir(prefix = 'reddit-test-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** One service, in process, on port 0, on the storage's engine (its own SQLite file, or its schema in the storage's database). */
export async function startApp(
  service: ServiceName,
  storage: Storage,
  options: AppDependencies = {},
): Promise<TestApp> {
  const database = await openServiceDatabase({ service, url: storage.databaseUrl, path: join(storage.dataDir, `${service}.db`), busyTimeoutMs: options.busyTimeoutMs, poolSize: 4 });
  const common = { database, instanceId: `${service}-test`, logger: createLogger('silent'), version: options.version };
  const app =
    service === 'posts'
      ? createPostsApp({ ...common, scores: options.scores, describeScoreError: options.describeScoreError, users: options.users, votes: options.votes })
      : service === 'votes'
        ? createVotesApp({ ...common, posts: options.posts, users: options.users })
        : service === 'users'
          ? createUsersApp(common)
          : createMessagesApp({ ...common, users: options.users });
  const server = await serve(app, 0);
  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    database,
    // Idempotent: a test may stop an instance early and afterAll closes everything again.
    close: () => (closing ??= server.close().then(() => database.close())),
  };
}
