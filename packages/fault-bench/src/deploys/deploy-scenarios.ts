/**
 * The deploy scenarios (issue 10): what changes in the fleet, and when (ms from the start of the schedule).
 * The instances are real ratings processes registered in a fresh dev-consul; version 1.0 is blue, 2.0 green.
 */
export type DeployScenarioName = 'roll' | 'cutover';

export interface DeployScenario {
  readonly name: DeployScenarioName;
  /** One line for the docs. */
  readonly title: string;
  /** The schedule sends requests from 0 to this, ms. */
  readonly endMs: number;
  /** When the deploy starts, ms. */
  readonly deployAtMs: number;
  /** Instances serving before the deploy (version 1.0, blue). */
  readonly serving: number;
  /** Instances of the new version (2.0, green) started and passing before the schedule: the cut-over's green side. */
  readonly standby: number;
}

export const OLD_VERSION = '1.0';
export const NEW_VERSION = '2.0';
export const OLD_COLOR = 'blue';
export const NEW_COLOR = 'green';

export const DEPLOY_SCENARIOS: Readonly<Record<DeployScenarioName, DeployScenario>> = {
  roll: {
    name: 'roll',
    title: 'rolling update of 3 instances from 1.0 to 2.0, one at a time, from 3 s; end at 20 s',
    endMs: 20_000,
    deployAtMs: 3_000,
    serving: 3,
    standby: 0,
  },
  cutover: {
    name: 'cutover',
    title: 'blue/green cut-over: 3 blue (1.0) serving, 3 green (2.0) passing; traffic flipped to green at 4 s; end at 10 s',
    endMs: 10_000,
    deployAtMs: 4_000,
    serving: 3,
    standby: 3,
  },
};

export const DEPLOY_SCENARIO_NAMES = Object.keys(DEPLOY_SCENARIOS) as DeployScenarioName[];

/** The same scenario with every time multiplied by `factor` (the smoke test runs a short one). */
export function scaledDeploy(scenario: DeployScenario, factor: number): DeployScenario {
  return { ...scenario, endMs: Math.round(scenario.endMs * factor), deployAtMs: Math.round(scenario.deployAtMs * factor) };
}
