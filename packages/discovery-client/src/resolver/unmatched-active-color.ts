import { instanceColor, type ActiveColorState } from './resolver.js';

/**
 * The active color in force matches none of the listed instances while some (of other colors) are listed:
 * nothing can be called, typically a key left over from an earlier cut-over.
 */
export interface UnmatchedActiveColor {
  readonly service: string;
  /** The Consul KV key naming the color: `discovery/<service>/active`. */
  readonly key: string;
  /** The active color in force. */
  readonly color: string;
  /** How many instances are listed (each of another color, or of none). */
  readonly instances: number;
  /** Listed instances per color, e.g. `{ blue: 3 }`. */
  readonly colors: Readonly<Record<string, number>>;
  /** Listed instances with no color. */
  readonly uncolored: number;
}

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

/**
 * `active color green of ratings (Consul KV discovery/ratings/active) matches none of its 3 instances (blue ×3)`.
 */
export function describeUnmatchedActiveColor(u: UnmatchedActiveColor): string {
  const counts = Object.entries(u.colors)
    .sort(([a, m], [b, n]) => n - m || a.localeCompare(b))
    .map(([color, count]) => `${color} ×${count}`);
  if (u.uncolored > 0) counts.push(`no color ×${u.uncolored}`);
  return (
    `active color ${u.color} of ${u.service} (Consul KV ${u.key}) matches none of its ` +
    `${u.instances} instance${u.instances === 1 ? '' : 's'} (${counts.join(', ')})`
  );
}
