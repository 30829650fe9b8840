import { afterEach, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startProcess } from 'process-supervisor';
import type { ChildExit, ManagedProcess } from 'process-supervisor';
import { MAIN } from '../../scripts/lib/cluster.js';
import { tempDir } from '../helpers/apps.js';

const started: ManagedProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((child) => child.stop('SIGKILL')));
});

function startMain(args: string[], env: Record<string, string>): ManagedProcess {
  const child = startProcess({ name: `main.js ${args.join(' ')}`, args: [MAIN, ...args], env });
  started.push(child);
  return child;
}

/** Runs `node dist/main.js ...args` to its end: how it exited and what it printed (stdout and stderr, by line). */
async function run(args: string[], env: Record<string, string>): Promise<ChildExit & { output: string }> {
  const child = startMain(args, env);
  return { ...(await child.exited), output: child.output() };
}

const USAGE_LINE = 'usage: node dist/main.js <posts|votes|users|messages|gateway>   (--help for more)';

describe('main.js start-up errors', () => {
  it('names the processes it starts when given none or an unknown one, and refuses a bad flag, with the usage line (exit 2)', async () => {
    const cases: Array<[string[], string | RegExp]> = [
      [[], 'reddit-services: name the process to start: posts, votes, users, messages, gateway'],
      [['comments'], 'reddit-services: unknown process "comments": one of posts, votes, users, messages, gateway'],
      [['votes', 'extra'], 'reddit-services: unexpected argument "extra"'],
      [['votes', '--port', '80'], /^reddit-services: Unknown option '--port'/],
    ];
    // Should one of them start anyway, it stays out of Consul and of the demo's data.
    const temp = tempDir();
    try {
      for (const [args, message] of cases) {
        const result = await run(args, { PORT: '0', REGISTER: 'false', DATA_DIR: temp.dir });
        expect(result).toMatchObject({ code: 2, signal: null });
        expect(result.output.split('\n')).toEqual([typeof message === 'string' ? message : expect.stringMatching(message), USAGE_LINE, '']);
      }
    } finally {
      temp.remove();
    }
  });

  it('refuses a bad PORT, COLOR or REGISTRATION_TTL and an unusable database path with one clear line (exit 1)', async () => {
    const temp = tempDir();
    try {
      const badPort = await run(['votes'], { PORT: 'eighty', REGISTER: 'false', DATA_DIR: temp.dir });
      expect(badPort.code).toBe(1);
      expect(badPort.output).toBe('failed to start: PORT must be an integer from 0 to 65535, got "eighty"\n');
      const badColor = await run(['votes'], { PORT: '0', COLOR: 'Green', REGISTER: 'false', DATA_DIR: temp.dir });
      expect(badColor.code).toBe(1);
      expect(badColor.output).toBe('failed to start: COLOR must be a color name such as blue or green (lowercase letters, digits, -), got "Green"\n');
      const badTtl = await run(['votes'], { PORT: '0', REGISTRATION_TTL: 'ten', DATA_DIR: temp.dir });
      expect(badTtl.code).toBe(1);
      expect(badTtl.output).toBe('failed to start: REGISTRATION_TTL must be a duration such as 10s or 1m, got "ten"\n');
      // The parent "directory" is a regular file.
      writeFileSync(join(temp.dir, 'not-a-dir'), 'x');
      const badPath = await run(['votes'], { PORT: '0', REGISTER: 'false', DB_PATH: join(temp.dir, 'not-a-dir', 'votes.db') });
      expect(badPath.code).toBe(1);
      expect(badPath.output).toMatch(/^failed to start: /);
      expect(badPath.output.split('\n')).toHaveLength(2);
    } finally {
      temp.remove();
    }
  });

  it('names its pid in the start line, and a SIGTERM sent the moment that line appears is a clean stop (exit 0)', async () => {
    const temp = tempDir();
    try {
      // Several rounds: the line used to be printed before the signal handlers were installed.
      for (let round = 0; round < 10; round += 1) {
        const child = startMain(['votes'], { PORT: '0', REGISTER: 'false', INSTANCE_ID: 'votes-9', DATA_DIR: temp.dir });
        const [line] = await child.waitForLine(/^votes votes-9 at http:\/\/127\.0\.0\.1:\d+ \(pid (\d+)\)$/);
        expect(line).toContain(`(pid ${child.pid})`);
        expect(child.signal('SIGTERM')).toBe(true);
        expect(await child.exited).toEqual({ code: 0, signal: null });
        expect(child.output()).toContain('votes-9 stopped');
      }
    } finally {
      temp.remove();
    }
  }, 30_000);
});
