/**
 * The scenarios: what happens to the faulty instance, and when (ms from the start of the schedule).
 * Timings are shorter than issue 8's 50 s so that every scenario × every contender × 3 repetitions fits
 * in about half an hour; docs/benchmarks.md states them.
 *
 * The overload scenarios of issue 17 (`dip`, `surge`, `freeze`, `tail`) run capacity-limited instances
 * (capacity.ts) instead of the fleet with one sick instance: there the whole fleet is short of capacity for a
 * while, or (`tail`) answers a few requests late.
 */
import { throughput, type Capacity } from './capacity.js';
import { CALM_FACTOR, FREEZE_MS, FREEZE_SERVICE_MS, INSTANCE_CAPACITY, INSTANCE_COUNT, SURGE_FACTOR, TAIL_EVERY, TAIL_FACTOR, TAIL_SERVICE_MS } from './config.js';
import type { RateChange } from './schedule.js';

/**
 * What the orchestrator does at a step: signals and control messages to the faulty instance; `tail` and
 * `tail-off` control messages to every instance; `freeze` blocks the generator's event loop for the step's
 * `forMs`; `surge` and `calm` only mark the generator's own rate changes (the scenario's `rates`).
 */
export type FaultAction = 'stop' | 'cont' | 'kill' | 'restart' | 'slow' | 'errors' | 'freeze' | 'surge' | 'calm' | 'tail' | 'tail-off';

export interface FaultStep {
  readonly atMs: number;
  readonly action: FaultAction;
  /** How long a `freeze` lasts, ms. */
  readonly forMs?: number;
}

export type ScenarioName = 'steady' | 'pause' | 'kill' | 'restart' | 'slow' | 'errors' | 'dip' | 'surge' | 'freeze' | 'tail';

export interface Scenario {
  readonly name: ScenarioName;
  /** One line for the docs. */
  readonly title: string;
  /** The schedule sends requests from 0 to this, ms. */
  readonly endMs: number;
  readonly steps: readonly FaultStep[];
  /** Every instance is capacity-limited so (the overload scenarios); none: they answer at once. */
  readonly capacity?: Capacity;
  /** Requests per second from the start (default: config.ts's RATE), and its changes. */
  readonly rate?: number;
  readonly rates?: readonly RateChange[];
}

/** The fleet's capacity in the overload scenarios, requests/s. */
export const FLEET_CAPACITY = throughput(INSTANCE_CAPACITY, INSTANCE_COUNT);
const CALM_RATE = Math.round(CALM_FACTOR * FLEET_CAPACITY);
const SURGE_RATE = Math.round(SURGE_FACTOR * FLEET_CAPACITY);

export const SCENARIOS: Readonly<Record<ScenarioName, Scenario>> = {
  steady: { name: 'steady', title: 'steady state, no fault', endMs: 10_000, steps: [] },
  pause: {
    name: 'pause',
    title: 'one of three paused: SIGSTOP at 5 s, SIGCONT at 15 s, end at 20 s',
    endMs: 20_000,
    steps: [
      { atMs: 5_000, action: 'stop' },
      { atMs: 15_000, action: 'cont' },
    ],
  },
  kill: { name: 'kill', title: 'one of three killed: SIGKILL at 5 s, end at 11 s', endMs: 11_000, steps: [{ atMs: 5_000, action: 'kill' }] },
  restart: {
    name: 'restart',
    title: 'one of three killed at 5 s and started again on the same port at 10 s, end at 15 s',
    endMs: 15_000,
    steps: [
      { atMs: 5_000, action: 'kill' },
      { atMs: 10_000, action: 'restart' },
    ],
  },
  slow: {
    name: 'slow',
    title: 'one of three answers 200 ms slower from 5 s, end at 12 s',
    endMs: 12_000,
    steps: [{ atMs: 5_000, action: 'slow' }],
  },
  errors: {
    name: 'errors',
    title: 'one of three answers 503 to every second request from 5 s, end at 11 s',
    endMs: 11_000,
    steps: [{ atMs: 5_000, action: 'errors' }],
  },
  dip: {
    name: 'dip',
    title:
      `capacity dip: three instances of ${INSTANCE_CAPACITY.concurrency} at a time × ${INSTANCE_CAPACITY.serviceMs} ms (${FLEET_CAPACITY} requests/s in all), ` +
      'one paused: SIGSTOP at 5 s, SIGCONT at 20 s, end at 35 s',
    endMs: 35_000,
    capacity: INSTANCE_CAPACITY,
    steps: [
      { atMs: 5_000, action: 'stop' },
      { atMs: 20_000, action: 'cont' },
    ],
  },
  surge: {
    name: 'surge',
    title:
      `traffic surge: the same three instances (${FLEET_CAPACITY} requests/s), ${CALM_RATE} requests/s (${CALM_FACTOR} ×), ` +
      `${SURGE_RATE} (${SURGE_FACTOR} ×) from 5 s to 15 s, end at 30 s`,
    endMs: 30_000,
    capacity: INSTANCE_CAPACITY,
    rate: CALM_RATE,
    rates: [
      { atMs: 5_000, rate: SURGE_RATE },
      { atMs: 15_000, rate: CALM_RATE },
    ],
    steps: [
      { atMs: 5_000, action: 'surge' },
      { atMs: 15_000, action: 'calm' },
    ],
  },
  freeze: {
    name: 'freeze',
    title: `the caller's event loop blocked ${FREEZE_MS / 1000} s at 5 s, every instance answering in ${FREEZE_SERVICE_MS} ms, end at 12 s`,
    endMs: 12_000,
    capacity: { concurrency: Infinity, serviceMs: FREEZE_SERVICE_MS },
    steps: [{ atMs: 5_000, action: 'freeze', forMs: FREEZE_MS }],
  },
  tail: {
    name: 'tail',
    title:
      `a slow tail: every instance answering in ${TAIL_SERVICE_MS} ms, and from 5 s to 15 s one request in ${TAIL_EVERY} (${100 / TAIL_EVERY} %) ` +
      `${TAIL_FACTOR[0]}–${TAIL_FACTOR[1]} × later, end at 20 s`,
    endMs: 20_000,
    capacity: { concurrency: Infinity, serviceMs: TAIL_SERVICE_MS },
    steps: [
      { atMs: 5_000, action: 'tail' },
      { atMs: 15_000, action: 'tail-off' },
    ],
  },
};

export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];

/** When the fault starts (the first step), or undefined for the steady state. */
export function faultStart(scenario: Scenario): number | undefined {
  return scenario.steps[0]?.atMs;
}

/** Whether a step ends the fault (SIGCONT, restart, the surge's end, the tail's); a freeze ends by itself. */
export function isRecovery(action: FaultAction): boolean {
  return action === 'cont' || action === 'restart' || action === 'calm' || action === 'tail-off';
}

/** The step that ends the fault (SIGCONT, restart, the surge's end, the tail's), if any. */
export function recoveryStep(scenario: Scenario): FaultStep | undefined {
  return scenario.steps.find((s) => isRecovery(s.action));
}

/** The same scenario with every time multiplied by `factor` (the smoke test runs a short one). */
export function scaled(scenario: Scenario, factor: number): Scenario {
  return {
    ...scenario,
    endMs: Math.round(scenario.endMs * factor),
    steps: scenario.steps.map((s) => ({ ...s, atMs: Math.round(s.atMs * factor) })),
    ...(scenario.rates ? { rates: scenario.rates.map((r) => ({ ...r, atMs: Math.round(r.atMs * factor) })) } : {}),
  };
}
