import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { openDatabase } from '../../src/shared/db.js';
import { listen } from '../../src/shared/http-server.js';
import { createLogger } from '../../src/shared/logger.js';
import { createPostsApp } from '../../src/posts/posts-app.js';
import { createVotesApp } from '../../src/votes/votes-app.js';
import { createUsersApp } from '../../src/users/users-app.js';
import { createMessagesApp } from '../../src/messages/messages-app.js';
import type { ScoreSource } from '../../src/posts/score-source.js';

export type ServiceName = 'posts' | 'votes' | 'users' | 'messages';

export interface TestApp {
  url: string;
  db: Database;
  close(): Promise<void>;
}

/** A temp directory removed by the returned function. */
export function tempDir(prefix = 'reddit-test-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** One service, in process, on port 0, with its own SQLite file in `dir`. */
export async function startApp(service: ServiceName, dir: string, options: { scores?: ScoreSource; describeScoreError?: (error: unknown) => string; busyTimeoutMs?: number } = {}): Promise<TestApp> {
  const db = openDatabase({ service, path: join(dir, `${service}.db`), busyTimeoutMs: options.busyTimeoutMs });
  const common = { db, instanceId: `${service}-test`, logger: createLogger('silent') };
  const app =
    service === 'posts'
      ? createPostsApp({ ...common, scores: options.scores, describeScoreError: options.describeScoreError })
      : service === 'votes'
        ? createVotesApp(common)
        : service === 'users'
          ? createUsersApp(common)
          : createMessagesApp(common);
  const server = await listen(app, 0);
  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    db,
    // Idempotent: a test may stop an instance early and afterAll closes everything again.
    close: () =>
      (closing ??= server.close().then(() => {
        db.close();
      })),
  };
}
