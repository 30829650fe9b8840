/**
 * A busy gateway does not log one line per request (runbooks/run.md "Log lines to know"): the
 * per-call `using instance` line is at debug, while resolve and failure lines stay; an operator
 * gets the walkthrough line back with DISCOVERY_LOG_PICKS=info, without a code change.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDevConsul } from 'dev-consul';
import { tempDir } from '../helpers/apps.js';
import { startProcess, waitForPassing } from '../../scripts/lib/cluster.js';
import type { RunningProcess } from '../../scripts/lib/cluster.js';

describe('gateway logs', () => {
  const temp = tempDir();
  let consul: Awaited<ReturnType<typeof startDevConsul>>;
  const processes: RunningProcess[] = [];

  beforeAll(async () => {
    consul = await startDevConsul({ port: 0 });
    for (const id of ['votes-1', 'votes-2']) processes.push(await startProcess({ name: 'votes', id, consulUrl: consul.url, dataDir: temp.dir }));
    await waitForPassing(consul.url, 'votes', 2);
  }, 60_000);

  afterAll(async () => {
    for (const running of processes) await running.stop();
    await consul?.close();
    temp.remove();
  }, 30_000);

  it('keeps resolve and failure lines but not one line per request; DISCOVERY_LOG_PICKS=info brings it back', async () => {
    const quiet = await startProcess({ name: 'gateway', id: 'gateway', consulUrl: consul.url, dataDir: temp.dir, env: { DISCOVERY_LOG_PICKS: '' } });
    processes.push(quiet);
    const loud = await startProcess({ name: 'gateway', id: 'gateway-loud', consulUrl: consul.url, dataDir: temp.dir, env: { DISCOVERY_LOG_PICKS: 'info' } });
    processes.push(loud);
    for (let i = 0; i < 20; i += 1) expect((await fetch(`${quiet.url}/votes/top`)).status).toBe(200);
    for (let i = 0; i < 4; i += 1) expect((await fetch(`${loud.url}/votes/top`)).status).toBe(200);

    // One votes instance dies: the calls that hit it fail over, and the failure is logged.
    const victim = processes[0] as RunningProcess;
    const victimPort = victim.port;
    await victim.kill();
    for (let i = 0; i < 6; i += 1) expect((await fetch(`${quiet.url}/votes/top`)).status).toBe(200);

    const quietLog = quiet.output.join('\n');
    expect(quietLog).toMatch(/resolved votes => \[.*http:\/\/127\.0\.0\.1:\d+.*\]/);
    expect(quietLog).toContain(`failed: cannot reach votes at http://127.0.0.1:${victimPort}`);
    expect(quietLog).not.toContain('using instance');
    expect(loud.output.join('\n')).toMatch(/votes using instance \d: http:\/\/127\.0\.0\.1:\d+/);
  }, 60_000);
});
