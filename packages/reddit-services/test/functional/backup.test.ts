import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from 'process-supervisor';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import { backupAll } from '../../src/backup.js';
import { openDatabase } from '../../src/shared/db.js';
import { tempDir } from '../helpers/apps.js';

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function count(path: string): number {
  const db = new Sqlite(path, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM posts').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('online backup', () => {
  const temps: Array<{ remove(): void }> = [];
  afterEach(() => temps.splice(0).forEach((temp) => temp.remove()));

  it('copies a WAL database while another process keeps writing: the copy is intact and holds every row committed before it', async () => {
    const temp = tempDir();
    temps.push(temp);
    const path = join(temp.dir, 'data', 'posts.db');
    openDatabase({ service: 'posts', path }).close();
    // Another process inserts rows one transaction at a time until it is killed.
    const writer = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { openDatabase } from './dist/shared/db.js';
         const db = openDatabase({ service: 'posts', path: ${JSON.stringify(path)} });
         const insert = db.prepare("INSERT INTO posts (title, community, username, created_at) VALUES ('t', 'general', 'alice', 'now')");
         const tick = () => { for (let i = 0; i < 20; i += 1) insert.run(); setImmediate(tick); };
         tick();`,
      ],
      { cwd: PACKAGE_ROOT, stdio: 'ignore' },
    );
    const exited = new Promise((resolve) => writer.once('exit', resolve));
    try {
      await waitFor(() => count(path) >= 2000, { timeoutMs: 20_000, intervalMs: 20, what: 'the writer to reach 2000 rows' });
      const before = count(path);
      const results = backupAll(join(temp.dir, 'data'), join(temp.dir, 'backup'));
      const after = count(path);
      expect(after).toBeGreaterThan(before);
      expect(results).toEqual([expect.objectContaining({ service: 'posts', integrity: 'ok' })]);
      const copied = count(join(temp.dir, 'backup', 'posts.db'));
      expect(copied).toBeGreaterThanOrEqual(before);
      expect(copied).toBeLessThanOrEqual(after);
    } finally {
      writer.kill('SIGKILL');
      await exited;
    }
  });
});
