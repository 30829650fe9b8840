/**
 * The scenarios: what happens to the faulty instance, and when (ms from the start of the schedule).
 * Timings are shorter than issue 8's 50 s so that every scenario × every contender × 3 repetitions fits
 * in about half an hour; docs/benchmarks.md states them.
 */
export type FaultAction = 'stop' | 'cont' | 'kill' | 'restart' | 'slow' | 'errors';

export interface FaultStep {
  readonly atMs: number;
  readonly action: FaultAction;
}

export type ScenarioName = 'steady' | 'pause' | 'kill' | 'restart' | 'slow' | 'errors';

export interface Scenario {
  readonly name: ScenarioName;
  /** One line for the docs. */
  readonly title: string;
  /** The schedule sends requests from 0 to this, ms. */
  readonly endMs: number;
  readonly steps: readonly FaultStep[];
}

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
};

export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];

/** When the fault starts (the first step), or undefined for the steady state. */
export function faultStart(scenario: Scenario): number | undefined {
  return scenario.steps[0]?.atMs;
}

/** The step that ends the fault (SIGCONT, restart), if any. */
export function recoveryStep(scenario: Scenario): FaultStep | undefined {
  return scenario.steps.find((s) => s.action === 'cont' || s.action === 'restart');
}

/** The same scenario with every time multiplied by `factor` (the smoke test runs a short one). */
export function scaled(scenario: Scenario, factor: number): Scenario {
  return {
    ...scenario,
    endMs: Math.round(scenario.endMs * factor),
    steps: scenario.steps.map((s) => ({ ...s, atMs: Math.round(s.atMs * factor) })),
  };
}
