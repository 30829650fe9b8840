import type { UnmatchedActiveColor } from '../errors/no-healthy-instances-error.js';
import { instanceColor, type ActiveColorState } from './resolver.js';

export type { UnmatchedActiveColor };

/** The mismatch behind a list filtered by the active color, or `undefined` when some instance matches or none is listed. */
export function findUnmatchedActiveColor(
  service: string,
  state: ActiveColorState,
  passed: number,
): UnmatchedActiveColor | undefined {
  if (state.color === null || passed > 0 || state.listed.length === 0) return undefined;
  const colors: Record<string, number> = {};
  let uncolored = 0;
  for (const instance of state.listed) {
    const color = instanceColor(instance);
    if (color === undefined) uncolored += 1;
    else colors[color] = (colors[color] ?? 0) + 1;
  }
  return { service, key: state.key, color: state.color, instances: state.listed.length, colors, uncolored };
}

/** Whether two mismatches are the same situation: same color in force, same colors listed (counts aside). */
export function sameUnmatchedActiveColor(a: UnmatchedActiveColor | undefined, b: UnmatchedActiveColor | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const names = (u: UnmatchedActiveColor): string => JSON.stringify([Object.keys(u.colors).sort(), u.uncolored > 0]);
  return a.service === b.service && a.key === b.key && a.color === b.color && names(a) === names(b);
}
