import { bad, checkBoolean, checkInteger, checkNumber, checkObject, checkRange } from '../options/checker.js';

/** Active probes that re-admit an ejected instance (Envoy's active health checking, while ejected only). */
export interface ProbeOptions {
  /**
   * Path of the `GET` sent to an ejected instance; any answer below 500 counts as alive (a 404 from an
   * instance without such a route still proves it answers).
   * @default '/health'
   */
  path?: string;
  /**
   * Delay before the first probe after an ejection, ms; it doubles after each failed probe.
   * @default 200
   */
  intervalMs?: number;
  /**
   * Longest delay between probes, ms: an instance that comes back is re-admitted within about this long.
   * @default 500
   */
  maxIntervalMs?: number;
  /**
   * Time a probe may take, ms (a paused instance answers a pending probe as soon as it resumes).
   * @default 1000
   */
  timeoutMs?: number;
}

/**
 * Outlier detection: ejects a misbehaving instance in milliseconds rather than after the breaker's
 * error-percentage window, rescues the calls stuck on a stalled one, and re-admits it by probing. An
 * ejection opens the instance's breaker (same `OPEN`/`CLOSE` lines and events, with a `reason`).
 * Rules and defaults follow Envoy's outlier detection and Finagle's failure accrual.
 */
export interface OutlierDetectionOptions {
  /**
   * Instance failures in a row (timeouts, connection errors, 5xx) that eject it; 0 turns the rule off
   * (Envoy's `consecutive_5xx`, Finagle's `FailureAccrualFactory`: both 5).
   * @default 5
   */
  consecutiveFailures?: number;
  /**
   * Failure percentage: an instance whose attempts failed at least `threshold` % of the time within one
   * `intervalMs` window, over at least `requestVolume` attempts, is ejected (Envoy's `failure_percentage`
   * rule, on a short window so that an instance failing half of its calls goes within a second). `false`
   * turns it off.
   * @default { threshold: 50, requestVolume: 10, intervalMs: 1000 }
   */
  failurePercentage?: { threshold?: number; requestVolume?: number; intervalMs?: number } | false;
  /**
   * Eject an instance at once when a connection to it is refused (nothing listens).
   * @default true
   */
  ejectOnRefused?: boolean;
  /**
   * Stall detection: an instance whose oldest outstanding attempt is older than
   * `max(floorMs, multiplier × median latency of the service's instances)` while another instance answered
   * a later attempt is ejected, and its in-flight attempts of safe methods (GET, HEAD, OPTIONS) with retries
   * left are re-sent elsewhere at once (a PUT or DELETE may still be running there: it waits for its answer
   * or its timeout, then is retried as usual).
   * `false` turns it off.
   * @default { floorMs: 50, multiplier: 5, checkIntervalMs: 10 }
   */
  stall?: { floorMs?: number; multiplier?: number; checkIntervalMs?: number } | false;
  /**
   * At most this share of the listed instances is ejected at once, rounded down, by any rule: these and the
   * breaker's own error-percentage rule (a lone instance is never ejected; past the cap calls keep spreading
   * over every listed instance, as behind Envoy's panic threshold). Envoy's `max_ejection_percent`.
   * @default 50
   */
  maxEjectionPercent?: number;
  /**
   * Shortest ejection, ms; multiplied by the number of ejections in a row (one is forgiven per 10 s in
   * rotation), capped at `maxEjectionTimeMs`. Envoy's `base_ejection_time`.
   * @default 1000
   */
  baseEjectionTimeMs?: number;
  /**
   * Longest ejection, ms. Envoy's `max_ejection_time`.
   * @default 30000
   */
  maxEjectionTimeMs?: number;
  /**
   * Probes that re-admit an ejected instance (any OPEN breaker, whatever opened it). `false`: the breaker's
   * `resetTimeout` and a user request as the half-open trial instead.
   * @default { path: '/health', intervalMs: 200, maxIntervalMs: 500, timeoutMs: 1000 }
   */
  probe?: ProbeOptions | false;
}

export interface ResolvedProbeOptions {
  path: string;
  intervalMs: number;
  maxIntervalMs: number;
  timeoutMs: number;
}

export interface ResolvedOutlierDetection {
  consecutiveFailures: number;
  failurePercentage: { threshold: number; requestVolume: number; intervalMs: number } | false;
  ejectOnRefused: boolean;
  stall: { floorMs: number; multiplier: number; checkIntervalMs: number } | false;
  maxEjectionPercent: number;
  baseEjectionTimeMs: number;
  maxEjectionTimeMs: number;
  probe: ResolvedProbeOptions | false;
}

export const DEFAULT_CONSECUTIVE_FAILURES = 5;
export const DEFAULT_FAILURE_PERCENTAGE_THRESHOLD = 50;
export const DEFAULT_FAILURE_PERCENTAGE_REQUEST_VOLUME = 10;
export const DEFAULT_FAILURE_PERCENTAGE_INTERVAL_MS = 1000;
export const DEFAULT_STALL_FLOOR_MS = 50;
export const DEFAULT_STALL_MULTIPLIER = 5;
export const DEFAULT_STALL_CHECK_INTERVAL_MS = 10;
export const DEFAULT_MAX_EJECTION_PERCENT = 50;
export const DEFAULT_BASE_EJECTION_TIME_MS = 1000;
export const DEFAULT_MAX_EJECTION_TIME_MS = 30_000;
export const DEFAULT_PROBE_PATH = '/health';
export const DEFAULT_PROBE_INTERVAL_MS = 200;
export const DEFAULT_PROBE_MAX_INTERVAL_MS = 500;
export const DEFAULT_PROBE_TIMEOUT_MS = 1000;

const OUTLIER_KEYS = ['consecutiveFailures', 'failurePercentage', 'ejectOnRefused', 'stall', 'maxEjectionPercent', 'baseEjectionTimeMs', 'maxEjectionTimeMs', 'probe'] as const;

function resolveStall(stall: OutlierDetectionOptions['stall']): ResolvedOutlierDetection['stall'] {
  if (stall === false) return false;
  checkObject('outlierDetection.stall', stall, ['floorMs', 'multiplier', 'checkIntervalMs']);
  return {
    floorMs: checkNumber('outlierDetection.stall.floorMs', stall?.floorMs ?? DEFAULT_STALL_FLOOR_MS, 1),
    multiplier: checkNumber('outlierDetection.stall.multiplier', stall?.multiplier ?? DEFAULT_STALL_MULTIPLIER, 1),
    checkIntervalMs: checkNumber('outlierDetection.stall.checkIntervalMs', stall?.checkIntervalMs ?? DEFAULT_STALL_CHECK_INTERVAL_MS, 1),
  };
}

function resolveFailurePercentage(f: OutlierDetectionOptions['failurePercentage']): ResolvedOutlierDetection['failurePercentage'] {
  if (f === false) return false;
  checkObject('outlierDetection.failurePercentage', f, ['threshold', 'requestVolume', 'intervalMs']);
  return {
    threshold: checkRange('outlierDetection.failurePercentage.threshold', f?.threshold ?? DEFAULT_FAILURE_PERCENTAGE_THRESHOLD, 1, 100),
    requestVolume: checkNumber('outlierDetection.failurePercentage.requestVolume', f?.requestVolume ?? DEFAULT_FAILURE_PERCENTAGE_REQUEST_VOLUME, 1),
    intervalMs: checkNumber('outlierDetection.failurePercentage.intervalMs', f?.intervalMs ?? DEFAULT_FAILURE_PERCENTAGE_INTERVAL_MS, 1),
  };
}

function resolveProbe(probe: OutlierDetectionOptions['probe']): ResolvedOutlierDetection['probe'] {
  if (probe === false) return false;
  checkObject('outlierDetection.probe', probe, ['path', 'intervalMs', 'maxIntervalMs', 'timeoutMs']);
  const path = probe?.path ?? DEFAULT_PROBE_PATH;
  if (typeof path !== 'string' || !path.startsWith('/')) throw bad('outlierDetection.probe.path', 'a path starting with "/"', path);
  const intervalMs = checkNumber('outlierDetection.probe.intervalMs', probe?.intervalMs ?? DEFAULT_PROBE_INTERVAL_MS, 1);
  return {
    path,
    intervalMs,
    maxIntervalMs: checkNumber('outlierDetection.probe.maxIntervalMs', probe?.maxIntervalMs ?? Math.max(intervalMs, DEFAULT_PROBE_MAX_INTERVAL_MS), intervalMs),
    timeoutMs: checkNumber('outlierDetection.probe.timeoutMs', probe?.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS, 1),
  };
}

/**
 * Validates `outlierDetection` and fills in its defaults; `false` (or the `datawire` breaker preset without
 * the option) turns it off. @throws TypeError naming the option.
 */
export function resolveOutlierDetection(input: OutlierDetectionOptions | false | undefined, preset: string): ResolvedOutlierDetection | false {
  if (input === false || (input === undefined && preset === 'datawire')) return false;
  checkObject('outlierDetection', input, OUTLIER_KEYS);
  const o = input ?? {};
  const baseEjectionTimeMs = checkNumber('outlierDetection.baseEjectionTimeMs', o.baseEjectionTimeMs ?? DEFAULT_BASE_EJECTION_TIME_MS, 0);
  return {
    consecutiveFailures: checkInteger('outlierDetection.consecutiveFailures', o.consecutiveFailures ?? DEFAULT_CONSECUTIVE_FAILURES, 0),
    failurePercentage: resolveFailurePercentage(o.failurePercentage),
    ejectOnRefused: checkBoolean('outlierDetection.ejectOnRefused', o.ejectOnRefused, true),
    stall: resolveStall(o.stall),
    maxEjectionPercent: checkRange('outlierDetection.maxEjectionPercent', o.maxEjectionPercent ?? DEFAULT_MAX_EJECTION_PERCENT, 0, 100),
    baseEjectionTimeMs,
    maxEjectionTimeMs: checkNumber(
      'outlierDetection.maxEjectionTimeMs',
      o.maxEjectionTimeMs ?? Math.max(baseEjectionTimeMs, DEFAULT_MAX_EJECTION_TIME_MS),
      baseEjectionTimeMs,
    ),
    probe: resolveProbe(o.probe),
  };
}
