/** Breaker presets by name. */
export type BreakerPresetName = 'default' | 'datawire';

/** Trip rule and timings of one instance's breaker. */
export interface BreakerSettings {
  /** Per-attempt timeout in ms (the service's `timeout` option overrides it). */
  timeout: number;
  /** How long an open breaker waits before letting one probe through (half-open), ms. */
  resetTimeout: number;
  /** Error percentage within the rolling window above which the breaker opens. */
  errorThresholdPercentage: number;
  /** Minimum calls within the rolling window before the breaker may open. */
  volumeThreshold: number;
  /** Length of the rolling statistics window, ms. */
  rollingCountTimeout: number;
  /** Buckets in the rolling window. */
  rollingCountBuckets: number;
}

export const DEFAULT_BREAKER_TIMEOUT_MS = 1000;
export const DEFAULT_BREAKER_RESET_TIMEOUT_MS = 30_000;
export const DEFAULT_ERROR_THRESHOLD_PERCENTAGE = 50;
/** Five calls in the window before the breaker may open: one failure at low traffic does not trip it. */
export const DEFAULT_VOLUME_THRESHOLD = 5;
export const DEFAULT_ROLLING_COUNT_TIMEOUT_MS = 10_000;
export const DEFAULT_ROLLING_COUNT_BUCKETS = 10;

/** Balanced defaults: 1 s timeout, 30 s retest, opens above 50 % errors once 5 calls were seen in 10 s. */
export const DEFAULT_BREAKER_PRESET: Readonly<BreakerSettings> = Object.freeze({
  timeout: DEFAULT_BREAKER_TIMEOUT_MS,
  resetTimeout: DEFAULT_BREAKER_RESET_TIMEOUT_MS,
  errorThresholdPercentage: DEFAULT_ERROR_THRESHOLD_PERCENTAGE,
  volumeThreshold: DEFAULT_VOLUME_THRESHOLD,
  rollingCountTimeout: DEFAULT_ROLLING_COUNT_TIMEOUT_MS,
  rollingCountBuckets: DEFAULT_ROLLING_COUNT_BUCKETS,
});

/** The 2016 Datawire market: 1 s timeout, opens on the first failure, retests after 30 s. */
export const DATAWIRE_BREAKER_PRESET: Readonly<BreakerSettings> = Object.freeze({
  timeout: 1000,
  resetTimeout: 30_000,
  errorThresholdPercentage: 0,
  volumeThreshold: 0,
  rollingCountTimeout: DEFAULT_ROLLING_COUNT_TIMEOUT_MS,
  rollingCountBuckets: DEFAULT_ROLLING_COUNT_BUCKETS,
});

export const BREAKER_PRESETS: Readonly<Record<BreakerPresetName, Readonly<BreakerSettings>>> = Object.freeze({
  default: DEFAULT_BREAKER_PRESET,
  datawire: DATAWIRE_BREAKER_PRESET,
});
