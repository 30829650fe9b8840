// Every entry point of the repository answers `--help` with its usage (exit 0, nothing started) and
// rejects an unknown flag with a message naming it (exit 2, nothing started). The entry points are
// found, not listed, so a new one cannot be forgotten: the packages' `bin`s, scripts/*.js, compiled
// sources that read their command line (process.argv, or cli-kit's parseCommandLine), and the TypeScript
// files package.json scripts or runbooks run with tsx.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { REPO } from '../test-support/process.js';

interface EntryPoint {
  /** As a person would name it: the path from the repository root. */
  name: string;
  /** What to run: node with these arguments first. */
  command: string[];
}

const TSX = path.join(REPO, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const packages = readdirSync(path.join(REPO, 'packages'));
/** A source that reads its command line. */
const READS_ARGV = /process\.argv|parseCommandLine\(/;
const read = (file: string): string => readFileSync(path.join(REPO, file), 'utf8');
const list = (dir: string, pattern: RegExp): string[] => {
  try {
    return readdirSync(path.join(REPO, dir)).filter((f) => pattern.test(f)).map((f) => `${dir}/${f}`);
  } catch {
    return [];
  }
};
const walk = (dir: string): string[] =>
  readdirSync(path.join(REPO, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(`${dir}/${e.name}`) : [`${dir}/${e.name}`]));

function entryPoints(): EntryPoint[] {
  const found = new Map<string, EntryPoint>();
  const add = (name: string, command: string[]): void => void found.set(name, { name, command });
  for (const file of list('scripts', /\.js$/)) add(file, [file]);
  for (const pkg of packages) {
    const manifest = JSON.parse(read(`packages/${pkg}/package.json`)) as { bin?: Record<string, string>; scripts?: Record<string, string> };
    for (const bin of Object.values(manifest.bin ?? {})) add(`packages/${pkg}/${bin.replace(/^\.\//, '')}`, [`packages/${pkg}/${bin}`]);
    // compiled programs: a source that reads its command line runs as dist/<same>.js (cli-kit itself is the helper, no program)
    for (const source of walk(`packages/${pkg}/src`).filter((f) => pkg !== 'cli-kit' && f.endsWith('.ts') && READS_ARGV.test(read(f)))) {
      const built = source.replace(`packages/${pkg}/src/`, `packages/${pkg}/dist/`).replace(/\.ts$/, '.js');
      add(built, [built]);
    }
    // TypeScript run with tsx: by a package.json script, or a script under scripts/ that reads its argv
    for (const script of Object.values(manifest.scripts ?? {})) {
      for (const [, file] of script.matchAll(/\btsx ([\w./-]+\.ts)/g)) add(`packages/${pkg}/${file}`, [TSX, `packages/${pkg}/${file}`]);
    }
    for (const file of list(`packages/${pkg}/scripts`, /\.ts$/).filter((f) => READS_ARGV.test(read(f)))) add(file, [TSX, file]);
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

const ENTRY_POINTS = entryPoints();
// Should one of them ignore the flag and start working, keep it away from the demo's ports and data.
const sandbox = mkdtempSync(path.join(os.tmpdir(), 'entry-points-'));
afterAll(() => rmSync(sandbox, { recursive: true, force: true }));
const ENV = { ...process.env, CONSUL_HTTP_ADDR: '127.0.0.1:1', PORT: '0', GATEWAY_PORT: '0', DATA_DIR: sandbox, LOG_FORMAT: '', BENCH_ROUNDS: '1' };

function run(command: string[], flag: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const [first, ...rest] = command;
    execFile(process.execPath, [first!, ...rest, flag], { cwd: REPO, env: ENV, timeout: 20_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

it('finds the entry points the docs name', () => {
  const names = ENTRY_POINTS.map((e) => e.name);
  expect(names).toEqual(
    expect.arrayContaining([
      'packages/dev-consul/bin/dev-consul.js',
      'packages/ratings/dist/main.js',
      'packages/ratings/dist/start-ratings.js',
      'packages/market/dist/main.js',
      'packages/reddit-services/dist/launcher.js',
      'packages/reddit-services/dist/seed.js',
      'packages/reddit-services/dist/backup.js',
      'packages/reddit-services/dist/main.js',
      'scripts/consul.js',
      'scripts/demo.js',
      'scripts/demo-script.js',
      'scripts/test-summary.js',
    ]),
  );
});

describe.each(ENTRY_POINTS.map((e) => [e.name, e] as const))('%s', (_name, entry) => {
  it('--help prints its usage and exits 0', async () => {
    const result = await run(entry.command, '--help');
    expect(result.stdout).toMatch(/^usage: /i);
    expect(result.code).toBe(0);
  });

  it('rejects an unknown flag with a message naming it and pointing at the usage, and exits 2', async () => {
    const result = await run(entry.command, '--no-such-flag');
    expect(result.stderr).toContain('--no-such-flag');
    expect(result.stderr).toMatch(/usage|--help/i);
    expect(result.code).toBe(2);
  });
});
