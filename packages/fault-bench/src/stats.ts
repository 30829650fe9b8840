/** Median and range over the repetitions of a cell; `null` (never happened within the run) sorts last. */
export interface Spread {
  readonly median: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly n: number;
}

export function spread(values: ReadonlyArray<number | null | undefined>): Spread {
  const present = values.filter((v): v is number | null => v !== undefined);
  const sorted = present.map((v) => (v === null ? Infinity : v)).sort((a, b) => a - b);
  const back = (v: number | undefined): number | null => (v === undefined || v === Infinity ? null : v);
  if (sorted.length === 0) return { median: null, min: null, max: null, n: 0 };
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median: back(median), min: back(sorted[0]), max: back(sorted[sorted.length - 1]), n: sorted.length };
}

/** The median of numbers (0 for none). */
export function median(values: readonly number[]): number {
  return spread(values).median ?? 0;
}
