/**
 * The open-model schedule: when each request is due, ms from the start. A constant rate sends request i at
 * i / rate seconds; a load that changes its rate (the `surge` scenario) is constant by pieces, each piece
 * starting its own evenly spaced sends at its start.
 */

/** From `atMs` on, `rate` requests per second. */
export interface RateChange {
  readonly atMs: number;
  readonly rate: number;
}

/** The intended send times of a run at `rate` from 0, changed by `changes` (ascending `atMs`), until `endMs`. */
export function intendedTimes(rate: number, endMs: number, changes: readonly RateChange[] = []): number[] {
  const pieces = [{ atMs: 0, rate }, ...changes.filter((c) => c.atMs > 0 && c.atMs < endMs)];
  const times: number[] = [];
  pieces.forEach((piece, k) => {
    if (k > 0 && piece.atMs <= pieces[k - 1]!.atMs) throw new Error(`rate changes must be in ascending time: ${JSON.stringify(changes)}`);
    const to = pieces[k + 1]?.atMs ?? endMs;
    const n = Math.floor(((to - piece.atMs) * piece.rate) / 1000);
    const interval = 1000 / piece.rate;
    for (let i = 0; i < n; i++) times.push(piece.atMs + i * interval);
  });
  return times;
}

/** Requests per second at `t` (ms from the start). */
export function rateAt(rate: number, changes: readonly RateChange[], t: number): number {
  let current = rate;
  for (const change of changes) if (change.atMs <= t) current = change.rate;
  return current;
}
