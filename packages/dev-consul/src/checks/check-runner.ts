import type { CheckStatus } from '../state/types.js';

/** Something that drives a check's status: a TTL timer or a prober. */
export interface CheckRunner {
  /** Stops every timer and in-flight probe; the runner never reports again. */
  stop(): void;
}

/** How a runner reports a result back to the agent. */
export type CheckReporter = (status: CheckStatus, output: string) => void;

/** Consul's `checks.MinInterval`: probes never run more often than this. */
export const MIN_CHECK_INTERVAL_MS = 1000;

/** Consul's default probe timeout (`Timeout` unset): 10 s. */
export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

/** Consul's default `OutputMaxSize`: 4 KiB. */
export const DEFAULT_OUTPUT_MAX_SIZE = 4096;

/** Truncates output the way Consul does once it exceeds `max` bytes. */
export function truncateOutput(output: string, max: number): string {
  const bytes = Buffer.byteLength(output);
  if (bytes <= max) return output;
  const prefix = Buffer.from(output).subarray(0, max).toString();
  return `${prefix} ... (captured ${max} of ${bytes} bytes)`;
}

/**
 * Calls `probe` after a random stagger in `[0, interval)`, then every `interval`, never overlapping.
 * Returns the stop function.
 */
export function schedulePeriodic(intervalMs: number, probe: () => Promise<void>, random: () => number = Math.random): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const run = async (): Promise<void> => {
    if (stopped) return;
    await probe();
    if (stopped) return;
    timer = setTimeout(() => void run(), intervalMs);
    timer.unref();
  };
  timer = setTimeout(() => void run(), Math.floor(random() * intervalMs));
  timer.unref();
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
  };
}
