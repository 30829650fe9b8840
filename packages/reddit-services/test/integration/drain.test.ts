import { afterEach, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDevConsul } from 'dev-consul';
import type { DevConsulHandle } from 'dev-consul';
import { startProcess, waitForPassing } from '../../scripts/lib/cluster.js';
import type { RunningProcess } from '../../scripts/lib/cluster.js';
import { readConfig } from '../../src/shared/config.js';
import { tempDir } from '../helpers/apps.js';

describe('DRAIN', () => {
  it('is a duration, 1 s by default; 0 turns it off; anything else is refused with a clear message', () => {
    expect(readConfig({}, 0).drainMs).toBe(1000);
    expect(readConfig({ DRAIN: '250ms' }, 0).drainMs).toBe(250);
    expect(readConfig({ DRAIN: '2s' }, 0).drainMs).toBe(2000);
    expect(readConfig({ DRAIN: '0' }, 0).drainMs).toBe(0);
    expect(() => readConfig({ DRAIN: 'soon' }, 0)).toThrow('DRAIN must be a duration such as 500ms or 2s (0: no drain), got "soon"');
    expect(() => readConfig({ DRAIN: '-1s' }, 0)).toThrow(/^DRAIN must be a duration/);
  });
});

describe('stopping an instance with a drain delay (real process, dev-consul)', () => {
  let consul: DevConsulHandle | undefined;
  let instance: RunningProcess | undefined;
  const temp = tempDir();

  afterEach(async () => {
    await instance?.kill();
    await consul?.close();
    temp.remove();
  });

  it('after SIGTERM it leaves Consul at once, answers requests through the drain delay, then exits 0', async () => {
    const DRAIN_MS = 1500;
    consul = await startDevConsul({ port: 0, logLevel: 'error' });
    instance = await startProcess({ name: 'votes', id: 'votes-1', consulUrl: consul.url, dataDir: temp.dir, env: { DRAIN: `${DRAIN_MS}ms`, VERSION: '3.1' } });
    await waitForPassing(consul.url, 'votes', 1);
    const signalled = Date.now();
    instance.child.kill('SIGTERM');
    await waitForPassing(consul.url, 'votes', 0, 5000);
    const leftConsulMs = Date.now() - signalled;
    // Gone from Consul (watchers drop it now), yet still serving: a caller that picked it just before is answered.
    const answers: number[] = [];
    while (Date.now() - signalled < DRAIN_MS - 300) {
      const response = await fetch(`${instance.url}/votes/1`);
      expect(await response.json()).toMatchObject({ postId: 1, version: '3.1' });
      answers.push(response.status);
      await sleep(50);
    }
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((status) => status === 200)).toBe(true);
    expect(await instance.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(DRAIN_MS);
    expect(leftConsulMs).toBeLessThan(DRAIN_MS);
    expect(instance.output.join('\n')).toMatch(/SIGTERM: stopping votes-1: deregistering, serving 1500 ms more[\s\S]*deregistered votes-1[\s\S]*votes-1 stopped/);
    await expect(fetch(`${instance.url}/health`)).rejects.toThrow();
  }, 30_000);
});
