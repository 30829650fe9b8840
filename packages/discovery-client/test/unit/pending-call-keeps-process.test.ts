import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

// The silent exit: every timer and socket on the call path is unref'd (an idle client must let the process
// exit), so a call waiting on a retry backoff let Node exit with the call pending: the script printed nothing,
// never reached its catch and exited 0. These run the README's shapes in a child process against a real
// instance that answers 503 (an instance failure, retried with backoff) and look at how the process ends.

const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<Exit> {
  const { NODE_OPTIONS: _ignored, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(process.execPath, args, { env: { ...inherited, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

// the README's CommonJS shape: main().catch(...)
const COMMONJS = `
const { DiscoveryClient } = require(${JSON.stringify(DIST)});
async function main() {
  const discovery = new DiscoveryClient({ static: { ratings: [process.env.INSTANCE_URL] } });
  const ratings = discovery.service('ratings', { retry: { backoffInitialMs: 200 } });
  const rating = await ratings.get('/ratings/camera').json();
  console.log('rating', rating);
  await discovery.close();
}
main().catch((error) => {
  console.error('caught', error.name);
  process.exitCode = 1;
});`;

// an ES module with top-level await, no catch
const ESM = `
import { DiscoveryClient } from ${JSON.stringify(DIST)};
const discovery = new DiscoveryClient({ static: { ratings: [process.env.INSTANCE_URL] } });
const ratings = discovery.service('ratings', { retry: { backoffInitialMs: 200 } });
console.log('rating', await ratings.get('/ratings/camera').json());
await discovery.close();`;

// a client used once and never closed: idle, it lets the process exit
const IDLE = `
import { DiscoveryClient } from ${JSON.stringify(DIST)};
const discovery = new DiscoveryClient({ logger: false, static: { ratings: [process.env.INSTANCE_URL] } });
const response = await discovery.service('ratings').get('/ratings/camera', { throwHttpErrors: false });
console.log('status ' + String(response.statusCode));`;

describe('a pending call keeps the process alive', () => {
  let server: http.Server;
  let url: string;
  let status = 503;
  let hits = 0;

  beforeEach(async () => {
    hits = 0;
    status = 503;
    server = http.createServer((_req, res) => {
      hits++;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('CommonJS main().catch(): a call retried against an instance answering 503 reaches the catch and the process exits 1', async () => {
    const exit = await run(['--input-type=commonjs', '-e', COMMONJS], { INSTANCE_URL: url });
    expect(exit.stdout).toContain('resolved ratings');
    expect(exit.stderr).toContain('caught');
    expect(exit.code).toBe(1);
    expect(hits).toBeGreaterThan(1);
  });

  it('ES module, top-level await: the call rejects, the error is printed and the process exits 1', async () => {
    const exit = await run(['--input-type=module', '-e', ESM], { INSTANCE_URL: url });
    expect(exit.stderr).not.toContain('unsettled top-level await');
    expect(exit.stderr).toMatch(/UpstreamHttpError|NoHealthyInstancesError/);
    expect(exit.code).toBe(1);
  });

  it('an idle client that was never closed lets the process exit on its own', async () => {
    status = 200;
    const exit = await run(['--input-type=module', '-e', IDLE], { INSTANCE_URL: url });
    expect(exit.stdout).toContain('status 200');
    expect(exit.code).toBe(0);
  });
});
