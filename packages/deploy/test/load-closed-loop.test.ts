// `npm run load -- --concurrency N` as a real process against a real HTTP server on a free port: N workers,
// each sending its next request when its last one answered, and the rate they sustained.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { REPO } from '../src/services.js';

const LOAD = `${REPO}packages/deploy/dist/load.js`;
const HOLD_MS = 20;

let server: http.Server;
let url: string;
let dir: string;
let inFlight = 0;
let maxInFlight = 0;

beforeEach(async () => {
  inFlight = 0;
  maxInFlight = 0;
  // answers each request after HOLD_MS, counting how many it holds at once
  server = http.createServer((req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    setTimeout(() => {
      inFlight -= 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"version":"1.0"}');
    }, HOLD_MS);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'load-closed-'));
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function load(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [LOAD, ...args], { timeout: 20_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

describe('npm run load -- --concurrency N (closed loop)', () => {
  it('keeps N requests in flight, never more, and reports the rate it sustained', async () => {
    const json = join(dir, 'summary.json');
    const result = await load(['--url', url, '--path', '/ratings/camera', '--concurrency', '4', '--duration', '1s', '--json', json]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('4 workers, closed loop, for 1 s to');
    expect(result.stdout).toMatch(/total \d+, failed 0, in [\d.]+ s: [\d.]+ requests\/s sustained by 4 workers \(closed loop\)/);
    expect(result.stdout).toMatch(/latency p50 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms \(from each request's send\)/);
    const summary = JSON.parse(readFileSync(json, 'utf8')) as { model: string; concurrency: number; total: number; failed: number; rps: number; p50Ms: number };
    expect(summary).toMatchObject({ model: 'closed', concurrency: 4, failed: 0 });
    expect(summary.rps).toBeGreaterThan(0);
    // each worker waits for its answer: at most 4 every HOLD_MS, whatever the machine
    expect(summary.rps).toBeLessThanOrEqual((4 * 1000) / HOLD_MS);
    expect(summary.p50Ms).toBeGreaterThanOrEqual(HOLD_MS - 1);
    expect(maxInFlight).toBeLessThanOrEqual(4);
    expect(maxInFlight).toBeGreaterThanOrEqual(2);
  });

  it('refuses --rate with --concurrency, and a concurrency that is not a whole number, with exit 2', async () => {
    const both = await load(['--url', url, '--rate', '10', '--concurrency', '2']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^load: give --rate N or --concurrency N, not both\nusage: npm run load/);
    const bad = await load(['--url', url, '--concurrency', '2.5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^load: --concurrency must be a whole number from 1 to 10000, got "2.5"\n/);
    expect(maxInFlight).toBe(0);
  });
});
