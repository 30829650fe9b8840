/**
 * `--no-docs` is a run for a look: its summaries go to results/runs/<time>/ and nothing the docs are built from
 * (results/latest, docs/benchmarks.md) changes. One real invocation of the command, the shortest scenario
 * with the cheapest contender, into a temp results directory.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const DOCS = fileURLToPath(new URL('../../../docs/benchmarks.md', import.meta.url));

describe('npm run bench:faults -- --no-docs', () => {
  const results = mkdtempSync(path.join(os.tmpdir(), 'fault-bench-results-'));
  afterAll(() => rmSync(results, { recursive: true, force: true }));

  it('keeps the run\'s summary and writes neither results/latest nor the docs', async () => {
    const docsBefore = readFileSync(DOCS, 'utf8');
    await promisify(execFile)(process.execPath, [MAIN, '--scenario', 'steady', '--contenders', 'direct', '--reps', '1', '--no-docs', '--results', results]);
    const runs = readdirSync(path.join(results, 'runs'));
    expect(runs).toHaveLength(1);
    expect(readdirSync(path.join(results, 'runs', runs[0]!))).toEqual(['steady-direct-1.json']);
    expect(existsSync(path.join(results, 'latest'))).toBe(false);
    expect(readFileSync(DOCS, 'utf8')).toBe(docsBefore);
  }, 60_000);
});
