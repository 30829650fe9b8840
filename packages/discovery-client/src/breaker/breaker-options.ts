import { bad, checkNumber, checkObject } from '../options/checker.js';

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

/** Per-instance circuit breaker options (opossum's, plus how long a breaker outlives its instance). */
export interface BreakerOptions {
  /**
   * Named starting point; the fields below override it. `'datawire'`: 1 s timeout, opens on the first
   * failure, retests after 30 s (the 2016 market).
   * @default 'default'
   */
  preset?: BreakerPresetName;
  /**
   * Per-attempt timeout, ms (used when the service's `timeout` is not set).
   * @default 1000
   */
  timeout?: number;
  /**
   * How long an open breaker waits before letting one probe through, ms (opossum's `resetTimeout`).
   * @default 30000
   */
  resetTimeout?: number;
  /**
   * Error percentage in the rolling window above which the breaker opens.
   * @default 50 (datawire: 0, i.e. any failure)
   */
  errorThresholdPercentage?: number;
  /**
   * Calls needed in the rolling window before the breaker may open; keeps one failure at low traffic from
   * opening it.
   * @default 5 (datawire: 0)
   */
  volumeThreshold?: number;
  /**
   * Rolling statistics window, ms.
   * @default 10000
   */
  rollingCountTimeout?: number;
  /**
   * Buckets in the rolling window.
   * @default 10
   */
  rollingCountBuckets?: number;
  /**
   * How long a breaker outlives its instance's absence from the passing list, ms (brief flaps keep state).
   * @default 60000
   */
  retainMs?: number;
}

/** Breaker settings plus how long to keep a breaker for an absent instance. */
export interface ResolvedBreakerOptions extends BreakerSettings {
  retainMs: number;
}

export const DEFAULT_BREAKER_TIMEOUT_MS = 1000;
/** opossum's own default `resetTimeout`. */
export const DEFAULT_BREAKER_RESET_TIMEOUT_MS = 30_000;
/** opossum's own default `errorThresholdPercentage`. */
export const DEFAULT_ERROR_THRESHOLD_PERCENTAGE = 50;
/** Five calls in the window before the breaker may open: one failure at low traffic does not trip it. */
export const DEFAULT_VOLUME_THRESHOLD = 5;
/** opossum's own default rolling window: 10 s in 10 buckets. */
export const DEFAULT_ROLLING_COUNT_TIMEOUT_MS = 10_000;
export const DEFAULT_ROLLING_COUNT_BUCKETS = 10;
export const DEFAULT_BREAKER_RETAIN_MS = 60_000;

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

const BREAKER_KEYS = ['preset', 'timeout', 'resetTimeout', 'errorThresholdPercentage', 'volumeThreshold', 'rollingCountTimeout', 'rollingCountBuckets', 'retainMs'] as const;

/** Validates `breaker` and fills in its preset. @throws TypeError naming the option. */
export function resolveBreakerOptions(input: BreakerOptions | undefined): ResolvedBreakerOptions {
  checkObject('breaker', input, BREAKER_KEYS);
  const options = input ?? {};
  const presetName = options.preset ?? 'default';
  const preset = BREAKER_PRESETS[presetName];
  if (!preset || !Object.hasOwn(BREAKER_PRESETS, presetName)) {
    throw bad('breaker.preset', `one of ${Object.keys(BREAKER_PRESETS).map((k) => `'${k}'`).join(', ')}`, presetName);
  }
  return {
    timeout: checkNumber('breaker.timeout', options.timeout ?? preset.timeout, 1),
    resetTimeout: checkNumber('breaker.resetTimeout', options.resetTimeout ?? preset.resetTimeout, 1),
    errorThresholdPercentage: checkNumber('breaker.errorThresholdPercentage', options.errorThresholdPercentage ?? preset.errorThresholdPercentage, 0),
    volumeThreshold: checkNumber('breaker.volumeThreshold', options.volumeThreshold ?? preset.volumeThreshold, 0),
    rollingCountTimeout: checkNumber('breaker.rollingCountTimeout', options.rollingCountTimeout ?? preset.rollingCountTimeout, 1),
    rollingCountBuckets: checkNumber('breaker.rollingCountBuckets', options.rollingCountBuckets ?? preset.rollingCountBuckets, 1),
    retainMs: checkNumber('breaker.retainMs', options.retainMs ?? DEFAULT_BREAKER_RETAIN_MS, 0),
  };
}
