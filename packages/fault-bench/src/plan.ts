/** Which runs an invocation makes, in which order. */
import { CONTENDERS, type ContenderName } from './contenders.js';
import type { ScenarioName } from './scenarios.js';

/** The order of contenders for one (repetition, scenario): rotated so that none always runs first. */
export function rotation<T>(items: readonly T[], by: number): T[] {
  if (items.length === 0) return [];
  const k = ((by % items.length) + items.length) % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** The contenders of each scenario: `direct` (steady only) sits out the faults, `library-hedged` all but `tail`. */
export function planned(scenarios: readonly ScenarioName[], contenders: readonly ContenderName[]): Array<[ScenarioName, ContenderName[]]> {
  const runsIn = (c: ContenderName, s: ScenarioName): boolean => (s === 'steady' || !CONTENDERS[c].steadyOnly) && (CONTENDERS[c].onlyIn?.includes(s) ?? true);
  return scenarios.map((s) => [s, contenders.filter((c) => runsIn(c, s))]);
}
