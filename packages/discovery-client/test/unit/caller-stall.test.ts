import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from 'process-supervisor';
import { callerStalls } from '../../src/attempt/caller-stall.js';
import { DiscoveryClient, type DiscoveryEvents } from '../../src/index.js';
import { killInstance, startPlainInstance, type InstanceProcess } from '../helpers/processes.js';

// The caller's own event loop blocked (a long GC pause, a large synchronous JSON.parse) while an instance in
// another process answers at once: the answer sits in the socket until the loop runs again.

let instance: InstanceProcess | undefined;
let client: DiscoveryClient | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  if (instance) await killInstance(instance);
  instance = undefined;
});

/** Blocks this process's event loop for `ms`. */
function block(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms); // the thread sleeps: nothing else runs
}

describe("the caller's own stall", () => {
  it('an answer that arrived while the caller was blocked past the timeout wins over the timeout: no timeout, nothing counted against the instance', async () => {
    // the instance answers 50 ms after it got the request: while this process is blocked
    instance = await startPlainInstance('ratings-1', 0, { LOG_REQUESTS: '1', ANSWER_DELAY_MS: '50' });
    client = new DiscoveryClient({ logger: false, static: { ratings: [instance.url] } });
    const ratings = client.service('ratings', { timeout: 200 });
    await ratings.get('/warm-up');
    const events: string[] = [];
    for (const name of ['callTimedOut', 'callFailed', 'callRetried', 'breakerOpen'] as const) {
      client.on(name, () => events.push(name));
    }
    const stallsBefore = callerStalls.stalls;

    const call = ratings.get('/during-the-stall').json<{ path: string }>();
    await instance.process.waitForLine(/^request \/during-the-stall$/); // it has the request
    block(600); // three times the attempt's timeout; the instance answers meanwhile

    await expect(call).resolves.toEqual({ id: 'ratings-1', path: '/during-the-stall' });
    expect(events).toEqual([]);
    await waitFor(() => callerStalls.stalls > stallsBefore, { what: 'the watch to see the block' });
    const [instanceSnapshot] = client.snapshot().services[0]!.instances;
    expect(instanceSnapshot).toMatchObject({ breaker: 'CLOSED', failures: 0 });
  });

  it('an instance that never answers still times out and counts against it, caller stall or not', async () => {
    instance = await startPlainInstance('ratings-1', 0, { LOG_REQUESTS: '1' });
    client = new DiscoveryClient({ logger: false, static: { ratings: [instance.url] } });
    const ratings = client.service('ratings', { timeout: 200, retry: false });
    await ratings.get('/warm-up');
    instance.child.kill('SIGSTOP');
    const timedOut: Array<DiscoveryEvents['callTimedOut']> = [];
    client.on('callTimedOut', (e) => timedOut.push(e));
    const call = ratings.get('/paused');
    block(100); // a stall shorter than the timeout
    await expect(call).rejects.toMatchObject({ code: 'ERR_REQUEST_TIMEOUT' });
    expect(timedOut).toHaveLength(1);
    expect(client.snapshot().services[0]!.instances[0]).toMatchObject({ failures: 1 });
  });
});

describe('the caller-stall watch', () => {
  it('notes a stall for whoever asks right after it, before its own overdue tick has run (calls the stall held back come first)', () => {
    callerStalls.retain();
    try {
      const before = callerStalls.stalls;
      const endedBefore = callerStalls.lastStallEndedAt;
      block(120);
      // still in the same turn of the loop: the watch's tick cannot have run
      expect(callerStalls.lastStallEndedAt).toBe(endedBefore);
      const now = performance.now();
      callerStalls.catchUp(now);
      expect(callerStalls.stalls).toBe(before + 1);
      expect(callerStalls.lastStallEndedAt).toBe(now);
      expect(callerStalls.lastStallMs).toBeGreaterThanOrEqual(120 - 10 - 1);
    } finally {
      callerStalls.release();
    }
  });
});
