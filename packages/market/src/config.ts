/** The market's settings, from its command line and environment. */
export interface MarketConfig {
  /** `--monolith`: no ratings, no Consul. */
  monolith: boolean;
  /** `PORT`; 0 picks a free port. @default 5000 */
  port: number;
  /** `HOST`. @default all interfaces */
  host?: string;
  /** `RATINGS_TIMEOUT_MS`: per attempt. @default 1000 (the Datawire preset) */
  timeoutMs?: number;
  /** `RATINGS_RESET_MS`: how long an open breaker waits before it retests. @default 30000 (the Datawire preset) */
  resetMs?: number;
  /** `RATINGS_SLOW_MS`: a call taking at least this long logs `WAITED <n>ms`. @default 250 */
  slowMs: number;
  /** `RATINGS_DEADLINE_MS`: the page never waits longer than this for a rating. @default 1.5 × timeout + 100 */
  deadlineMs?: number;
}

export const DEFAULT_PORT = 5000;
export const DEFAULT_SLOW_MS = 250;

/** A bad environment variable: the message names it and the value received. */
export class MarketConfigError extends Error {
  override name = 'MarketConfigError';
  readonly code = 'ERR_MARKET_CONFIG';
}

/** The market's settings: `monolith` from the command line (main.ts parses it with cli-kit), the rest from `env`. */
export function marketConfig(flags: { monolith: boolean }, env: NodeJS.ProcessEnv = process.env): MarketConfig {
  const number = (name: string, min: number, max: number): number | undefined => {
    const value = env[name];
    if (value === undefined || value === '') return undefined;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new MarketConfigError(`${name} must be a whole number from ${min} to ${max}, got "${value}"`);
    }
    return Number(value);
  };
  return {
    monolith: flags.monolith,
    port: number('PORT', 0, 65535) ?? DEFAULT_PORT,
    host: env.HOST || undefined,
    timeoutMs: number('RATINGS_TIMEOUT_MS', 1, 600_000),
    resetMs: number('RATINGS_RESET_MS', 1, 3_600_000),
    slowMs: number('RATINGS_SLOW_MS', 0, 600_000) ?? DEFAULT_SLOW_MS,
    deadlineMs: number('RATINGS_DEADLINE_MS', 1, 600_000),
  };
}
