/**
 * The harness end to end, short: the library contender (its defaults, the benchmark's budget) with one of
 * three instances killed, at a low rate. Asserts that the records and the figures computed from them are
 * consistent, not how well the library does (that is what the benchmark reports).
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { stopAll } from 'process-supervisor';
import { WARMUP_MS } from '../src/config.js';
import { runOne, type RunOutcome } from '../src/run.js';
import { SCENARIOS, type Scenario } from '../src/scenarios.js';

const RATE = 200;
const KILL_AT = 1500;
const scenario: Scenario = { ...SCENARIOS.kill, endMs: 5000, steps: [{ atMs: KILL_AT, action: 'kill' }] };

describe('fault-bench smoke run: library, one instance killed', () => {
  let outcome: RunOutcome;

  afterAll(() => stopAll());

  it('runs the schedule and settles every request', async () => {
    outcome = await runOne({ scenario, contender: 'library', rep: 1, rate: RATE });
    const { requests } = outcome.result;
    expect(requests.intended).toHaveLength((scenario.endMs * RATE) / 1000);
    expect(outcome.result.unsettled).toBe(0);
    for (let i = 0; i < requests.intended.length; i++) {
      expect(requests.latency[i]).toBeGreaterThanOrEqual(0);
      // an answer carries no error; an error carries no 2xx
      expect(requests.error[i] === '').toBe(requests.status[i]! >= 200 && requests.status[i]! < 500);
    }
    expect(outcome.summary.steps).toHaveLength(1);
    expect(outcome.summary.steps[0]!.doneAtMs).toBeGreaterThanOrEqual(KILL_AT);
  }, 60_000);

  it('counts every answered request once, by the instance that answered', () => {
    const { figures } = outcome.summary;
    const answered = figures.answersPerInstance.reduce((a, b) => a + b, 0);
    expect(figures.total).toBe(outcome.result.requests.intended.length);
    expect(answered + figures.failed).toBe(figures.total);
    expect(figures.perSecond.failed.reduce((a, b) => a + b, 0)).toBe(figures.failed);
    expect(figures.perSecond.slow.reduce((a, b) => a + b, 0)).toBe(figures.slow);
  });

  it('attributes every answer to an attempt on the instance that answered', () => {
    const { requests } = outcome.result;
    const attempted = new Set(outcome.attempts.map((a) => `${a.rid}:${a.port}`));
    const answered = requests.instance.map((port, rid) => [rid, port] as const).filter(([rid]) => requests.status[rid] === 200);
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.filter(([rid, port]) => !attempted.has(`${rid}:${port}`))).toEqual([]);
    // all three instances answered before the fault
    for (const port of outcome.ports) expect(requests.instance.some((p, i) => p === port && requests.intended[i]! < KILL_AT)).toBe(true);
  });

  it('sees no answer from the dead instance after the kill, and every attempt there failed', () => {
    const { requests } = outcome.result;
    const killedAt = outcome.summary.steps[0]!.doneAtMs;
    const faulty = outcome.ports[1]!;
    // 10 ms: the clocks of two processes and the delivery of SIGKILL
    expect(requests.instance.filter((p, i) => p === faulty && requests.sent[i]! > killedAt + 10)).toHaveLength(0);
    const late = outcome.attempts.filter((a) => a.port === faulty && a.t > killedAt + 10);
    expect(late.filter((a) => !a.failed)).toEqual([]);
  });

  it('measures detection, consistent with the library breaker opening', () => {
    const { figures, timeline } = outcome.summary;
    const killedAt = outcome.summary.steps[0]!.doneAtMs;
    expect(typeof figures.detectionMs).toBe('number');
    expect(figures.detectionMs!).toBeGreaterThanOrEqual(0);
    expect(figures.detectionMs!).toBeLessThan(scenario.endMs - killedAt);
    // no ordinary attempt goes to an instance whose breaker is open (it may have opened before the kill on a
    // busy machine: then detection is 0)
    const opened = timeline.find((e) => e.kind === 'open' && e.port === outcome.ports[1] && e.t >= killedAt);
    if (opened) expect(killedAt + figures.detectionMs!).toBeLessThanOrEqual(opened.t + 50);
  });

  it('computes latency figures over the right windows', () => {
    const { figures } = outcome.summary;
    const { intended } = outcome.result.requests;
    const killedAt = outcome.summary.steps[0]!.doneAtMs;
    expect(figures.steady.count).toBe(intended.filter((t) => t >= WARMUP_MS && t < killedAt).length);
    expect(figures.fault!.count).toBe(intended.filter((t) => t >= killedAt).length);
    for (const f of [figures.steady, figures.fault!]) {
      expect(f.p50).toBeGreaterThan(0);
      expect(f.p50).toBeLessThanOrEqual(f.p99);
      expect(f.p99).toBeLessThanOrEqual(f.p999);
      expect(f.p999).toBeLessThanOrEqual(f.max);
    }
  });

  it('samples the CPU of the generator and of the instances', () => {
    const { cpu } = outcome.summary;
    expect(cpu.processes['generator']).toBeGreaterThan(0);
    expect(Object.keys(cpu.processes).filter((k) => k.startsWith('instance'))).toHaveLength(3);
    expect(cpu.machineBusyMean).toBeGreaterThan(0);
  });
});
