import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAIN } from '../../scripts/lib/cluster.js';
import { tempDir } from '../helpers/apps.js';

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Never leave a process behind, even if it does not exit on its own.
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('main.js start-up errors', () => {
  it('names the services when given none or an unknown one (exit 2)', async () => {
    for (const args of [[], ['comments']]) {
      const result = await run(args, {});
      expect(result.code).toBe(2);
      expect(result.stderr).toBe('usage: node dist/main.js <posts|votes|users|messages|gateway>\n');
    }
  });

  it('refuses a bad PORT, COLOR or REGISTRATION_TTL and an unusable database path with one clear line (exit 1)', async () => {
    const temp = tempDir();
    try {
      const badPort = await run(['votes'], { PORT: 'eighty', REGISTER: 'false', DATA_DIR: temp.dir });
      expect(badPort.code).toBe(1);
      expect(badPort.stderr).toBe('failed to start: PORT must be an integer from 0 to 65535, got "eighty"\n');
      const badColor = await run(['votes'], { PORT: '0', COLOR: 'Green', REGISTER: 'false', DATA_DIR: temp.dir });
      expect(badColor.code).toBe(1);
      expect(badColor.stderr).toBe('failed to start: COLOR must be a color name such as blue or green (lowercase letters, digits, -), got "Green"\n');
      const badTtl = await run(['votes'], { PORT: '0', REGISTRATION_TTL: 'ten', DATA_DIR: temp.dir });
      expect(badTtl.code).toBe(1);
      expect(badTtl.stderr).toBe('failed to start: REGISTRATION_TTL must be a duration such as 10s or 1m, got "ten"\n');
      // The parent "directory" is a regular file.
      writeFileSync(join(temp.dir, 'not-a-dir'), 'x');
      const badPath = await run(['votes'], { PORT: '0', REGISTER: 'false', DB_PATH: join(temp.dir, 'not-a-dir', 'votes.db') });
      expect(badPath.code).toBe(1);
      expect(badPath.stderr).toMatch(/^failed to start: /);
      expect(badPath.stderr.split('\n')).toHaveLength(2);
    } finally {
      temp.remove();
    }
  });

  it('names its pid in the start line, and a SIGTERM sent the moment that line appears is a clean stop (exit 0)', async () => {
    const temp = tempDir();
    try {
      // Several rounds: the line used to be printed before the signal handlers were installed.
      for (let round = 0; round < 10; round += 1) {
        const child = spawn(process.execPath, [MAIN, 'votes'], {
          env: { ...process.env, PORT: '0', REGISTER: 'false', INSTANCE_ID: 'votes-9', DATA_DIR: temp.dir },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        try {
          let stdout = '';
          const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
            child.once('exit', (code, signal) => resolve({ code, signal }));
          });
          const line = await new Promise<string>((resolve, reject) => {
            child.stdout.on('data', (chunk: Buffer) => {
              stdout += chunk.toString();
              const match = /^votes votes-9 at http:\/\/127\.0\.0\.1:\d+ \(pid (\d+)\)$/m.exec(stdout);
              if (match) resolve(match[0]);
            });
            void exited.then(({ code }) => reject(new Error(`exited with ${code} before its start line: ${stdout}`)));
          });
          expect(line).toContain(`(pid ${child.pid})`);
          process.kill(child.pid as number, 'SIGTERM');
          expect(await exited).toEqual({ code: 0, signal: null });
          expect(stdout).toContain('votes-9 stopped');
        } finally {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        }
      }
    } finally {
      temp.remove();
    }
  }, 30_000);
});
