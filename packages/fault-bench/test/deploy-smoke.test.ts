/**
 * The deploy runs end to end, short and at a low rate, for each contender: real ratings instances in a fresh
 * dev-consul, the deploy done the contender's way (packages/deploy for the library, `nginx -s reload`,
 * HAProxy's runtime API). Asserts that each way of deploying moved the traffic, and that the records and
 * figures agree; how well each does is what the benchmark reports. nginx and HAProxy are installed with
 * apt-get when missing (as the benchmark does).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { stopAll } from 'process-supervisor';
import { runDeploy, type DeployContender, type DeployRunOutcome } from '../src/deploys/deploy-run.js';
import { DEPLOY_SCENARIOS, NEW_VERSION, OLD_VERSION, type DeployScenario } from '../src/deploys/deploy-scenarios.js';
import { ensureProxies } from '../src/proxies/install.js';
import { afterSwitch } from '../../../test-support/cut-over.js';
import type { ProxyBinary } from '../src/proxies/proxy.js';

const RATE = 200;
/** One instance replaced: the roll's steps without three instances' worth of waiting. */
const roll: DeployScenario = { ...DEPLOY_SCENARIOS.roll, endMs: 5000, deployAtMs: 1000, serving: 1 };
const cutover: DeployScenario = { ...DEPLOY_SCENARIOS.cutover, endMs: 3000, deployAtMs: 1000, serving: 2, standby: 2 };

let proxies: Record<string, ProxyBinary>;

beforeAll(() => {
  proxies = ensureProxies(['nginx', 'haproxy']);
}, 300_000);

afterAll(() => stopAll());

/** Answers of the old version to requests sent after the deploy's last step, and the step itself. */
function afterLastStep(outcome: DeployRunOutcome): { lastStepMs: number; old: number; answered: number } {
  const { requests } = outcome.result;
  const lastStepMs = Math.max(...outcome.summary.marks.map((m) => m.atMs));
  let old = 0;
  let answered = 0;
  requests.intended.forEach((t, i) => {
    if (t <= lastStepMs || requests.status[i] !== 200) return;
    answered++;
    if (requests.version[i] !== NEW_VERSION) old++;
  });
  return { lastStepMs, old, answered };
}

/**
 * The requests intended after the first new-version answer that followed the last step: once a contender has
 * switched it must not go back. (When it switches is its own business: the library hears of a flip of the
 * active color through its blocking query a moment after the deploy wrote it, a moment that a busy machine
 * stretches; requests due in between may still go to the old color.)
 */
function switchedAnswers(outcome: DeployRunOutcome): { old: number; answered: number } {
  const { requests } = outcome.result;
  const lastStepMs = Math.max(...outcome.summary.marks.map((m) => m.atMs));
  const answers = requests.intended.flatMap((sentAt, i) => (requests.status[i] === 200 ? [{ sentAt, version: requests.version[i] }] : []));
  const after = afterSwitch(answers, lastStepMs, (a) => a.version === NEW_VERSION);
  return { old: after.filter((a) => a.version !== NEW_VERSION).length, answered: after.length };
}

describe.each<DeployContender>(['library', 'nginx', 'haproxy'])('deploy runs through %s', (contender) => {
  it('a rolling update replaces the old instance: its version answers before, only the new one after', async () => {
    const outcome = await runDeploy({ scenario: roll, contender, rep: 1, rate: RATE, proxies });
    const { summary, result } = outcome;
    expect(summary.deployError).toBeUndefined();
    expect(result.unsettled).toBe(0);
    expect(result.requests.intended).toHaveLength((roll.endMs * RATE) / 1000);
    const steps = summary.marks.map((m) => `${m.what} ${m.subject}`);
    expect(steps).toEqual(expect.arrayContaining(['started ratings-2', 'passing ratings-2', 'retiring ratings-1', 'stopped ratings-1']));
    if (contender !== 'library') expect(steps).toEqual(expect.arrayContaining(['routed ratings-2', 'unrouted ratings-1']));
    // the old instance was taken out of the proxy before it was told to stop
    if (contender !== 'library') expect(steps.indexOf('unrouted ratings-1')).toBeLessThan(steps.indexOf('retiring ratings-1'));
    expect(summary.figures.versions[OLD_VERSION]).toBeGreaterThan(0);
    expect(summary.figures.versions[NEW_VERSION]).toBeGreaterThan(0);
    const after = afterLastStep(outcome);
    expect(after.answered).toBeGreaterThan(0);
    expect(after.old).toBe(0);
    expect(summary.figures.oldAfterDeploy).toBe(0);
    const answered = Object.values(summary.figures.versions).reduce((a, b) => a + b, 0);
    expect(answered + summary.figures.failed).toBe(summary.figures.total);
  }, 60_000);

  it('a cut-over moves the requests to green: once a green answer follows the flip, none goes back to blue (nginx: a few from its old worker)', async () => {
    const outcome = await runDeploy({ scenario: cutover, contender, rep: 1, rate: RATE, proxies });
    const { summary } = outcome;
    expect(summary.deployError).toBeUndefined();
    expect(summary.marks.map((m) => `${m.what} ${m.subject}`)).toEqual(['cutover green']);
    // blue answered until the flip: the routing really changed, it did not start on green
    expect(outcome.result.requests.version.some((v, i) => v === OLD_VERSION && outcome.result.requests.intended[i]! < cutover.deployAtMs)).toBe(true);
    const after = afterLastStep(outcome);
    expect(after.answered).toBeGreaterThan(0);
    if (contender === 'nginx') {
      // nginx's reload is asynchronous: its old worker may still answer what it had accepted; a few ms of them
      expect(after.old).toBeLessThanOrEqual(RATE / 10);
    } else {
      const switched = switchedAnswers(outcome);
      expect(switched.answered).toBeGreaterThan(0);
      expect(switched.old).toBe(0);
    }
  }, 60_000);
});
