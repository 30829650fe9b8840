import type { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';
import type { Attempt } from '../attempt/attempt.js';
import { VERDICTS, type AttemptOutcome } from '../attempt/outcome.js';
import { CircuitOpenError } from '../errors/circuit-open-error.js';
import type { InstanceEventInfo, InstanceRef, ServiceInstance } from '../instance.js';
import type { BreakerSettings } from './breaker-options.js';
import type { EjectionGuard } from './ejection-guard.js';

/** Breaker state as the walkthrough prints it. */
export type BreakerState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

/**
 * Why a breaker opened: opossum's `error-percentage` rule over its rolling window, or one of outlier
 * detection's rules (`consecutive-failures`, `failure-percentage` over a short window, `refused`: a refused
 * connection, `stall`: attempts outstanding far longer than the service's usual latency while other
 * instances answer).
 */
export type EjectionReason = 'error-percentage' | 'consecutive-failures' | 'failure-percentage' | 'refused' | 'stall';

/** What balancer strategies and policies read of an endpoint: nothing they could change. */
export interface EndpointView {
  readonly instance: ServiceInstance;
  readonly ref: InstanceRef;
  /** How events and logs name it. */
  readonly info: InstanceEventInfo;
  readonly state: BreakerState;
  /** Attempts in flight now. */
  readonly outstanding: number;
  /** Exponentially weighted latency of answered attempts, ms; undefined before the first answer. */
  readonly latencyMs: number | undefined;
}

/** What an endpoint reports to its pool. */
export interface EndpointTransitions {
  onOpen(endpoint: Endpoint, reason: EjectionReason): void;
  /** `early`: forced because the registry reported the instance passing again. */
  onHalfOpen(endpoint: Endpoint, early: boolean): void;
  onClose(endpoint: Endpoint): void;
  /** A half-open breaker admitted its one trial: no other call may go there until it ends. */
  onTrialStarted(endpoint: Endpoint): void;
}

/** Settings shared by the endpoints of one service. */
export interface EndpointSettings {
  service: string;
  breaker: BreakerSettings;
  /** Re-admission by the library's probes: opossum's own retest timer is then never used. */
  probing: boolean;
  transitions: EndpointTransitions;
  /** One bucket-rotation clock for every opossum breaker of the service. */
  rotateBucketController: EventEmitter;
  /** The rule every ejection obeys (max ejection, overload is not an outlier); none: every rule ejects freely. */
  guard: EjectionGuard | undefined;
}

/** Weight of the newest attempt in {@link Endpoint.failureRate}. */
const FAILURE_RATE_WEIGHT = 0.2;
/** Weight of the newest sample in {@link Endpoint.latencyMs}. */
const LATENCY_EWMA_WEIGHT = 0.2;
/** Time in rotation that forgives one past ejection (Envoy's outlier detection `interval`, 10 s). */
const EJECTION_DECAY_MS = 10_000;
/** opossum's retest timer when probes re-admit instead (setTimeout's largest delay). */
const NEVER_MS = 2 ** 31 - 1;

/**
 * opossum's action for a half-open trial: the identity on the attempt's trial promise, which
 * {@link Endpoint.onCallEnded} settles. A builtin (`Promise.resolve` returns a native promise as it is), so
 * opossum never calls back into this file.
 */
const awaitTrial: (trial: Promise<void>) => Promise<void> = Promise.resolve.bind(Promise);

function ignore(): void {}

/** The arguments opossum's events carry for a call (none: the attempt is not opossum's to see). */
const NO_ARGS: readonly unknown[] = Object.freeze([]);

type Breaker = CircuitBreaker<[Promise<void>], void>;

/**
 * opossum's trip rule, as its `fail()` applies it after each failure: not while warming up; half-open, any
 * failure reopens; else open once `volumeThreshold` calls were seen in the window and the error percentage
 * is above `errorThresholdPercentage`.
 */
function tripsAfterFailure(breaker: Breaker, errorThresholdPercentage: number): boolean {
  if (breaker.warmUp) return false;
  if (breaker.halfOpen) return true;
  const stats = breaker.stats;
  if (stats.fires < breaker.volumeThreshold) return false;
  return (stats.failures / stats.fires) * 100 > errorThresholdPercentage;
}

/**
 * One instance of a service as the client sees it, and the one place that talks to opossum: its breaker
 * (created on the first call), its attempts in flight and recent latency, and whether it is still listed.
 * Its call hooks are the innermost of every pick: `onCallStarted` asks the breaker to admit the attempt,
 * `onCallEnded` hands the breaker the outcome's verdict (a failure when it counts against the instance, a
 * success otherwise: a 4xx never trips a breaker).
 *
 * The breaker is opossum 9 with its own timeout off (the attempt times itself and aborts the request).
 * Half-open admits one trial at a time (opossum clears `pendingClose` when the trial starts).
 */
export class Endpoint implements EndpointView {
  /**
   * An endpoint is its own innermost pick (`type`, `endpoint` and the two hooks of the balancer's
   * `CompletePick`), so a snapshot without decorators allocates nothing per instance.
   */
  readonly type = 'complete';
  readonly endpoint: EndpointView = this;
  readonly info: InstanceEventInfo;
  /** Attempts admitted by the breaker, failures counted, attempts refused; for snapshots. */
  calls = 0;
  failures = 0;
  rejections = 0;
  outstanding = 0;
  latencyMs: number | undefined = undefined;
  /** When the pool saw the instance leave the passing list (ms since epoch), or undefined while listed. */
  goneSince: number | undefined = undefined;
  /** Times ejected in a row (reset once the instance stays in for a while); scales the ejection time. */
  ejections = 0;
  /** `Date.now()` of the current ejection (while OPEN). */
  ejectedAt: number | undefined = undefined;
  /** `Date.now()` of the last re-admission. */
  readmittedAt: number | undefined = undefined;
  /** `performance.now()` when the latest attempt that counts against the instance ended. */
  lastFailedAt = -Infinity;
  /** Share of recent attempts that counted against the instance (exponentially weighted, 0–1). */
  failureRate = 0;
  private breaker: Breaker | undefined = undefined;
  private openingReason: EjectionReason | undefined = undefined;

  constructor(
    public instance: ServiceInstance,
    readonly ref: InstanceRef,
    private readonly settings: EndpointSettings,
  ) {
    this.info = { service: settings.service, number: ref.number, id: ref.id, url: ref.url };
  }

  /**
   * The breaker admits the attempt (closed, or half-open with its trial slot free): undefined; else the
   * `rejected` outcome, and nothing is sent.
   *
   * A closed breaker counts the call as opossum's `fire()` does (its `fire` event, which feeds its rolling
   * window) without the promise machinery of `fire()`; the outcome is counted when it comes, synchronously, so
   * the call's next pick sees the breaker's new state. A half-open trial goes through `fire()` itself, which
   * takes the one trial slot.
   */
  onCallStarted(attempt: Attempt): AttemptOutcome | undefined {
    const breaker = (this.breaker ??= this.create(false));
    if (breaker.closed) {
      breaker.emit('fire', NO_ARGS);
    } else if (breaker.halfOpen && breaker.pendingClose) {
      const trial = new Promise<void>((resolve, reject) => {
        attempt.settleBreaker = (outcome) => (outcome.verdict.countsAgainst ? reject(outcome) : resolve());
      });
      attempt.breakerSettled = breaker.fire(trial).then(undefined, ignore);
      this.settings.transitions.onTrialStarted(this);
    } else {
      this.rejections++;
      return { type: 'rejected', verdict: VERDICTS.rejected, durationMs: 0, reason: 'breaker', error: new CircuitOpenError(this.settings.service, this.ref) };
    }
    this.calls++;
    this.outstanding++;
    return undefined;
  }

  /**
   * The attempt ended: load figures, then the outcome's verdict as opossum's success or failure (its
   * `success` / `failure` events and, for a failure, its trip rule). For a half-open trial it returns a
   * promise that resolves once opossum has settled the trial: the call awaits it before its next pick.
   */
  onCallEnded(attempt: Attempt, outcome: AttemptOutcome): Promise<void> | undefined {
    this.outstanding--;
    const verdict = outcome.verdict;
    // an answer across the caller's own stall measured the stall, not the instance
    if (verdict.answered && !attempt.inCallerStall) {
      const ewma = this.latencyMs;
      this.latencyMs = ewma === undefined ? outcome.durationMs : ewma + LATENCY_EWMA_WEIGHT * (outcome.durationMs - ewma);
    } else if (verdict.countsAgainst) {
      this.failures++;
      this.lastFailedAt = attempt.startedAt + outcome.durationMs;
    }
    // cancelled by its caller: nothing about the instance, neither a failure nor a success for the closed breaker
    // (a half-open trial must be settled, and opossum cannot abandon one: it ends as a success, as a hedge lost)
    if (outcome.type === 'cancelled' && attempt.settleBreaker === undefined) return undefined;
    this.failureRate += FAILURE_RATE_WEIGHT * ((verdict.countsAgainst ? 1 : 0) - this.failureRate);
    if (attempt.settleBreaker !== undefined) {
      attempt.settleBreaker(outcome);
      return verdict.countsAgainst ? attempt.breakerSettled : undefined;
    }
    const breaker = this.breaker;
    if (breaker === undefined) return undefined; // shut down while the attempt ran
    if (!verdict.countsAgainst) {
      breaker.emit('success', undefined, outcome.durationMs);
    } else {
      breaker.emit('failure', outcome, outcome.durationMs, NO_ARGS);
      if (tripsAfterFailure(breaker, this.settings.breaker.errorThresholdPercentage) && this.mayEject()) breaker.open();
    }
    return undefined;
  }

  private create(halfOpen: boolean): Breaker {
    const { breaker: b, probing } = this.settings;
    // a fresh options object every time: opossum writes into the one it gets
    const breaker: Breaker = new CircuitBreaker<[Promise<void>], void>(awaitTrial, {
      name: `${this.settings.service}/${this.ref.id}`,
      timeout: false,
      resetTimeout: probing ? NEVER_MS : b.resetTimeout,
      errorThresholdPercentage: b.errorThresholdPercentage,
      volumeThreshold: b.volumeThreshold,
      rollingCountTimeout: b.rollingCountTimeout,
      rollingCountBuckets: b.rollingCountBuckets,
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      rotateBucketController: this.settings.rotateBucketController,
      ...(halfOpen ? { state: { closed: false, halfOpen: true } } : {}),
    } as CircuitBreaker.Options<[Promise<void>]>);
    breaker.on('open', () => {
      const reason = this.openingReason ?? 'error-percentage';
      this.openingReason = undefined;
      const now = Date.now();
      // Envoy's multiplier: one ejection forgiven per EJECTION_DECAY_MS spent in rotation since the last one
      const healthyFor = this.readmittedAt === undefined ? Infinity : now - this.readmittedAt;
      this.ejections = Math.max(0, this.ejections - Math.floor(healthyFor / EJECTION_DECAY_MS)) + 1;
      this.ejectedAt = now;
      this.settings.transitions.onOpen(this, reason);
    });
    breaker.on('halfOpen', () => this.settings.transitions.onHalfOpen(this, false));
    breaker.on('close', () => {
      this.ejectedAt = undefined;
      this.readmittedAt = Date.now();
      this.settings.transitions.onClose(this);
    });
    return breaker;
  }

  get state(): BreakerState {
    const breaker = this.breaker;
    if (!breaker || breaker.closed) return 'CLOSED';
    return breaker.halfOpen ? 'HALF_OPEN' : 'OPEN';
  }

  /** Would an attempt be admitted now? Closed, or half-open with the trial slot free. */
  isAvailable(): boolean {
    const breaker = this.breaker;
    return breaker === undefined || breaker.closed || (breaker.pendingClose && breaker.halfOpen);
  }

  /**
   * Opens the breaker now (outlier detection's ejection) unless the ejection guard refuses; the `breakerOpen`
   * event carries `reason`. Returns whether it is ejected now.
   */
  eject(reason: EjectionReason): boolean {
    if (this.state !== 'CLOSED') return false;
    if (!this.mayEject()) return false;
    const breaker = (this.breaker ??= this.create(false));
    this.openingReason = reason;
    breaker.open();
    return true;
  }

  /** The ejection guard allows ejecting this instance now (a half-open one may always reopen). */
  private mayEject(): boolean {
    const guard = this.settings.guard;
    return guard === undefined || this.state !== 'CLOSED' || guard.allows(this);
  }

  /** Closes the breaker (a probe found the instance answering again). */
  readmit(): void {
    if (this.state === 'CLOSED') return;
    this.breaker?.close();
  }

  /**
   * The registry says the instance is passing again while the breaker is OPEN and nothing probes it: skip
   * the rest of the retest delay and let the next call be the trial now.
   */
  halfOpenNow(): boolean {
    if (this.state !== 'OPEN') return false;
    this.breaker?.shutdown();
    this.breaker = this.create(true);
    this.settings.transitions.onHalfOpen(this, true);
    return true;
  }

  shutdown(): void {
    this.breaker?.shutdown();
    this.breaker = undefined;
  }

  /** Whether the opossum breaker exists yet (it is created on the first call). */
  get materialized(): boolean {
    return this.breaker !== undefined;
  }
}
