/**
 * The proxies added for issue 17, end to end and short: Caddy with one of three instances killed (its debug log
 * read back as attempts), the same for nginx called through Node's global fetch (issue 18's `nginx-fetch`: fetch
 * sends the request id nginx logs), and HAProxy with its overload settings in a short surge over capacity-limited
 * instances (its `maxconn` keeps the excess in its own queue). Caddy and HAProxy are installed with apt-get
 * when missing, as the benchmark does. How well each does is what the benchmark reports.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { stopAll } from 'process-supervisor';
import { INSTANCE_CAPACITY } from '../src/config.js';
import type { ContenderName } from '../src/contenders.js';
import { ensureProxies } from '../src/proxies/install.js';
import type { ProxyBinary } from '../src/proxies/proxy.js';
import { runOne } from '../src/run.js';
import { SCENARIOS, scaled, type Scenario } from '../src/scenarios.js';

const RATE = 200;
const KILL_AT = 1500;
const kill: Scenario = { ...SCENARIOS.kill, endMs: 5000, steps: [{ atMs: KILL_AT, action: 'kill' }] };

let proxies: Record<string, ProxyBinary>;

beforeAll(() => {
  proxies = ensureProxies(['nginx', 'haproxy', 'caddy']);
}, 300_000);

afterAll(() => stopAll());

describe.each<[ContenderName, string]>([
  ['caddy', 'caddy'],
  ['nginx-fetch', 'nginx'],
])('%s, one instance killed', (contender, proxy) => {
  it('answers every request, and its log gives an attempt on the instance that answered each', async () => {
    const outcome = await runOne({ scenario: kill, contender, rep: 1, rate: RATE, proxies });
    const { requests } = outcome.result;
    expect(outcome.result.unsettled).toBe(0);
    const attempted = new Set(outcome.attempts.map((a) => `${a.rid}:${a.port}`));
    const answered = requests.instance.map((port, rid) => [rid, port] as const).filter(([rid]) => requests.status[rid] === 200);
    expect(answered.length).toBeGreaterThan(requests.intended.length / 2);
    expect(answered.filter(([rid, port]) => !attempted.has(`${rid}:${port}`))).toEqual([]);
    // every attempt is placed on the schedule, and none on the dead instance succeeded
    for (const a of outcome.attempts) expect(a.t).toBeGreaterThan(-1000);
    const killedAt = outcome.summary.steps[0]!.doneAtMs;
    expect(outcome.attempts.filter((a) => a.port === outcome.ports[1] && a.t > killedAt + 10 && !a.failed)).toEqual([]);
    expect(outcome.summary.cpu.processes[proxy]).toBeGreaterThan(0);
  }, 60_000);
});

describe('haproxy-tuned, a short surge over capacity-limited instances', () => {
  it('never lets an instance queue: the excess waits in HAProxy (maxconn = the instances\' concurrency)', async () => {
    const surge = scaled(SCENARIOS.surge, 0.2);
    const outcome = await runOne({ scenario: surge, contender: 'haproxy-tuned', rep: 1, proxies });
    expect(outcome.result.unsettled).toBe(0);
    const instances = outcome.summary.overload?.instances;
    expect(instances).toHaveLength(3);
    // 1.5 × the fleet's capacity for 2 s: without maxconn each instance would queue a hundred or more
    for (const instance of instances!) {
      expect(instance.served).toBeGreaterThan(0);
      expect(instance.maxQueued).toBe(0);
    }
    expect(INSTANCE_CAPACITY.concurrency).toBe(10);
  }, 60_000);
});
