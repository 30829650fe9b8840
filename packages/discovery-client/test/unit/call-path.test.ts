import http from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DiscoveryClient } from '../../src/index.js';

// docs/architecture.md lists the library files one successful GET runs code in. This test measures it with
// V8's precise coverage (function call counts): warm the path up, reset the counts, make one call, and list
// the library files any of whose functions ran.

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

/** Library files (relative to src/) whose functions ran during `call()`. */
async function filesRunBy(session: Session, call: () => Promise<unknown>): Promise<string[]> {
  await session.post('Profiler.takePreciseCoverage'); // resets the counts
  await call();
  const { result } = await session.post('Profiler.takePreciseCoverage');
  const files = new Set<string>();
  for (const script of result) {
    const file = script.url.startsWith('file://') ? fileURLToPath(script.url) : script.url;
    if (!file.startsWith(SRC)) continue;
    // the caller-stall watch ticks on a timer of its own, which may fire during the call: not part of it (the
    // call reads the watch's clock, a field)
    if (file.endsWith('/attempt/caller-stall.ts')) continue;
    // a function with a non-zero count in the reset window ran (the first range is the whole script)
    if (script.functions.some((fn) => fn.functionName !== '' && fn.ranges[0]!.count > 0)) files.add(path.relative(SRC, file));
  }
  return [...files].sort();
}

describe('the call path', () => {
  const session = new Session();
  const servers = [1, 2, 3].map(() => http.createServer((_req, res) => res.end(JSON.stringify({ stars: 4 }))));
  let client: DiscoveryClient;

  beforeAll(async () => {
    for (const server of servers) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const urls = servers.map((server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: false });
    client = new DiscoveryClient({ logger: false, static: { ratings: urls } });
  });

  afterAll(async () => {
    await client.close();
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
    await session.post('Profiler.stopPreciseCoverage');
    session.disconnect();
  });

  it('a successful GET with the defaults (undici, round-robin, outlier detection, concurrency limit, no listener, @opentelemetry/api installed and no SDK registered) runs code in ten library files', async () => {
    const ratings = client.service('ratings');
    for (let i = 0; i < 20; i++) await ratings.get('/ratings/camera').json();
    const files = await filesRunBy(session, () => ratings.get('/ratings/camera').json());
    expect(files).toEqual([
      'attempt/attempt.ts',
      'balancer/round-robin.ts',
      'breaker/endpoint.ts',
      'deadline/request-timeout-header.ts',
      'outlier/outlier-detection.ts',
      'overload/concurrency-limit.ts',
      'overload/vegas-limit.ts',
      'service-client.ts',
      // @opentelemetry/api is installed here (a devDependency) and no SDK is registered: Tracing.startCall asks
      // the API whether a tracer provider is registered, and returns (no span, no header); without the API
      // installed the client reads one field and this file does not run
      'tracing.ts',
      'transport/undici-transport.ts',
    ]);
  });
});
