/** TTL expiry and the reaper with fake timers: Consul's real timings (TTL, 1 min floor, 30 s reap) without waiting. */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Agent } from '../../src/agent.js';
import { Logger } from '../../src/logger.js';
import { resolveOptions } from '../../src/options.js';
import { IndexCounter } from '../../src/state/index-counter.js';

function makeAgent(lines: string[]): Agent {
  const options = resolveOptions({ node: 'unit', port: 0 });
  const logger = new Logger('info', (_level, message) => lines.push(message));
  return new Agent({ ...options, address: '127.0.0.1', nodeId: 'unit-node-id' }, new IndexCounter(), logger);
}

describe('with fake timers', () => {
  let agent: Agent;
  let lines: string[];
  beforeEach(() => {
    jest.useFakeTimers();
    lines = [];
    agent = makeAgent(lines);
  });
  afterEach(() => {
    agent.close();
    jest.useRealTimers();
  });

  it('a TTL check goes critical when the TTL passes without an update, quoting the last output', () => {
    agent.registerService(agent.prepareService({ Name: 'api', ID: 'api-1', Check: { TTL: 15e9 } }), false);
    agent.updateTtl('service:api-1', 'passing', 'all good');
    jest.advanceTimersByTime(14_000);
    agent.updateTtl('service:api-1', 'passing', 'all good');
    jest.advanceTimersByTime(14_999);
    expect(agent.catalog.check('service:api-1')?.status).toBe('passing');
    jest.advanceTimersByTime(1);
    expect(agent.catalog.check('service:api-1')).toMatchObject({ status: 'critical', output: 'TTL expired (last output before timeout follows): all good' });
    expect(lines).toContain('check service:api-1 passing -> critical: TTL expired (last output before timeout follows): all good');
  });

  it('reaps a service with DeregisterCriticalServiceAfter: clamped to 1 minute, checked every 30 s, counted from the first critical update', () => {
    agent.registerService(agent.prepareService({ Name: 'api', ID: 'api-1', Check: { TTL: 10e9, DeregisterCriticalServiceAfter: 5e9, Status: 'passing' } }), false);
    expect(lines).toContain('check service:api-1 has deregister interval below minimum of 1m0s');
    // TTL expires at 10 s -> critical since 10 s. Clamped to 60 s -> reapable after 70 s, reaped at the next 30 s tick (90 s).
    jest.advanceTimersByTime(60_000);
    expect(agent.localService('api-1')).toBeDefined();
    jest.advanceTimersByTime(29_999);
    expect(agent.localService('api-1')).toBeDefined();
    jest.advanceTimersByTime(1);
    expect(agent.localService('api-1')).toBeUndefined();
    expect(agent.localChecks()).toEqual([]);
    expect(lines.some((l) => l.startsWith('service reaped: api-1 (api), check service:api-1 critical for'))).toBe(true);
  });

  it('a check critical since registration but never updated is not reaped', () => {
    agent.registerService(agent.prepareService({ Name: 'api', ID: 'api-1', Check: { TTL: 3600e9, DeregisterCriticalServiceAfter: 60e9 } }), false);
    jest.advanceTimersByTime(10 * 60_000);
    expect(agent.localService('api-1')).toBeDefined();
  });

  it('a non-critical update resets the critical clock', () => {
    agent.registerService(agent.prepareService({ Name: 'api', ID: 'api-1', Check: { TTL: 3600e9, DeregisterCriticalServiceAfter: 60e9 } }), false);
    agent.updateTtl('service:api-1', 'critical', '');
    jest.advanceTimersByTime(50_000);
    agent.updateTtl('service:api-1', 'passing', '');
    agent.updateTtl('service:api-1', 'critical', '');
    jest.advanceTimersByTime(60_000);
    expect(agent.localService('api-1')).toBeDefined();
    jest.advanceTimersByTime(30_000);
    expect(agent.localService('api-1')).toBeUndefined();
  });
});
