import { afterEach } from '@jest/globals';
import type { DiscoveryClient } from '../../src/index.js';
import type { Upstream } from './upstream.js';

/** What a test started: closed (client first, then upstreams) after each test. */
export interface ClientFixture {
  client: DiscoveryClient | undefined;
  upstreams: Upstream[];
}

/** Registers an `afterEach` that closes the test's client and upstreams, so nothing keeps running. */
export function useClientFixture(): ClientFixture {
  const fixture: ClientFixture = { client: undefined, upstreams: [] };
  afterEach(async () => {
    // a test's calls still in flight are aborted at once (close()'s grace period is for applications)
    await fixture.client?.close({ gracePeriodMs: 0 });
    fixture.client = undefined;
    await Promise.all(fixture.upstreams.map((u) => u.close()));
    fixture.upstreams = [];
  });
  return fixture;
}
