/**
 * One clock for every process of a run: epoch milliseconds with sub-millisecond resolution
 * (`performance.timeOrigin + performance.now()`), so the orchestrator's fault times and the generator's
 * request times compare directly.
 */
export function now(): number {
  return performance.timeOrigin + performance.now();
}
