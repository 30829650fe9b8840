// parseCommandLine as entry points use it: a real process per case, its output and exit code.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'entry.js');

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [ENTRY, ...args], { env: { ...process.env, ...env }, timeout: 10_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

describe('parseCommandLine', () => {
  it('hands the typed values, defaults applied, to read', async () => {
    expect(await run(['--rate', '250'])).toEqual({ code: 0, stdout: '{"rate":250,"quick":false,"positionals":[]}\n', stderr: '' });
    expect((await run(['--quick', '--rate=5'])).stdout).toBe('{"rate":5,"quick":true,"positionals":[]}\n');
  });

  it('prints the usage on stdout for --help and -h, and exits 0', async () => {
    for (const flag of ['--help', '-h']) {
      const result = await run([flag]);
      expect(result).toEqual({ code: 0, stdout: expect.stringMatching(/^Usage: entry \[--rate N\].*\n {2}--rate N {3}requests per second \(default 100\)\n$/s), stderr: '' });
    }
  });

  it('rejects an unknown flag with its name and the usage line, exit 2, no stack trace', async () => {
    const result = await run(['--no-such-flag']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe("entry: Unknown option '--no-such-flag'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--no-such-flag\"\nUsage: entry [--rate N] [--quick] [FILE]   (--help for more)\n");
  });

  it('rejects a missing value and a bad number with the option named', async () => {
    const missing = await run(['--rate']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^entry: Option '--rate <value>' argument missing\nUsage: entry/);
    const bad = await run(['--rate', 'fast']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^entry: --rate must be a number above 0 and at most 1000, got "fast"\nUsage: entry/);
  });

  it('rejects a positional argument unless the entry point allows them', async () => {
    const refused = await run(['file.txt']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^entry: unexpected argument "file.txt"\n/);
    expect((await run(['file.txt'], { POSITIONALS: '1' })).stdout).toBe('{"rate":100,"quick":false,"positionals":["file.txt"]}\n');
  });
});
