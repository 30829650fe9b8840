import type { Spread } from './stats.js';

// How a figure is written in a cell of the report's tables (report.ts, overload-report.ts).

export type Format = (v: number) => string;

export const ms: Format = (v) => (v >= 1000 ? `${(v / 1000).toFixed(v >= 10_000 ? 1 : 2)} s` : v >= 100 ? `${v.toFixed(0)} ms` : v >= 10 ? `${v.toFixed(1)} ms` : `${v.toFixed(2)} ms`);
export const count: Format = (v) => Math.round(v).toLocaleString('en-US');

/** `median (min–max)`, or the value alone when they agree; `never` for a figure that did not happen within the run. */
export function cell(s: Spread, format: Format, never = 'not within the run'): string {
  if (s.n === 0) return '—';
  const show = (v: number | null): string => (v === null ? never : format(v));
  const med = show(s.median);
  if (s.n === 1 || (s.min === s.max)) return med;
  return `${med} (${show(s.min)}–${show(s.max)})`;
}
