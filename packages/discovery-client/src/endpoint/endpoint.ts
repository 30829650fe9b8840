import type { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';
import type { AttemptOutcome } from '../attempt/outcome.js';
import type { BreakerSettings } from '../breaker/presets.js';
import { CircuitOpenError } from '../errors/circuit-open-error.js';
import type { InstanceRef, ServiceInstance } from '../instance.js';

/** Breaker state as the walkthrough prints it. */
export type BreakerState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

/**
 * Why a breaker opened: opossum's `error-percentage` rule over its rolling window, or one of outlier
 * detection's rules (`consecutive-failures`, `failure-percentage` over a short window, `refused`: a refused
 * connection, `stall`: attempts outstanding far longer than the service's usual latency while other
 * instances answer).
 */
export type EjectionReason = 'error-percentage' | 'consecutive-failures' | 'failure-percentage' | 'refused' | 'stall';

/** One attempt in flight on an endpoint, oldest first in {@link Endpoint.outstanding}. */
export interface InFlightAttempt {
  /** `performance.now()` when it was sent. */
  readonly startedAt: number;
  /** Whether aborting it lets the call go on elsewhere (a safe method, retries left). */
  readonly rescuable: boolean;
  /** Aborts the request; the attempt ends as an instance failure with reason `stall`. */
  rescue(): void;
}

/** What an endpoint reports to its pool. */
export interface EndpointTransitions {
  onOpen(endpoint: Endpoint, reason: EjectionReason): void;
  /** `early`: forced because the registry reported the instance passing again. */
  onHalfOpen(endpoint: Endpoint, early: boolean): void;
  onClose(endpoint: Endpoint): void;
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
}

/** Weight of the newest sample in {@link Endpoint.latencyEwmaMs}. */
const LATENCY_EWMA_WEIGHT = 0.2;
/** Time in rotation that forgives one past ejection (Envoy's outlier detection `interval`, 10 s). */
const EJECTION_DECAY_MS = 10_000;
/** opossum's retest timer when probes re-admit instead (setTimeout's largest delay). */
const NEVER_MS = 2 ** 31 - 1;

type Action = () => Promise<AttemptOutcome>;

/** What counts against the breaker: instance failures, and refused connections (nothing listens there). */
function countsAgainst(outcome: AttemptOutcome): boolean {
  return outcome.type === 'instanceFailure' || (outcome.type === 'notSent' && outcome.reason === 'refused');
}

/** opossum counts rejections: the outcomes that count against the instance travel to it as one. */
function throwIfFailure(outcome: AttemptOutcome): AttemptOutcome {
  if (countsAgainst(outcome)) throw outcome;
  return outcome;
}

/**
 * One instance of a service as the client sees it: its identity and log number, its opossum breaker
 * (created on the first call), its attempts in flight and recent latency (for outlier detection and
 * least-loaded balancing), and whether it is still listed.
 *
 * The breaker is opossum 9 with its own timeout off (the service client times each attempt and aborts the
 * request). Attempts hand it an {@link AttemptOutcome}; only instance failures count against it. Half-open
 * admits one trial at a time (opossum clears `pendingClose` when the trial starts).
 */
export class Endpoint {
  /** Attempts admitted by the breaker, failures counted, attempts refused; for snapshots. */
  calls = 0;
  failures = 0;
  rejections = 0;
  /** When the pool saw the instance leave the passing list (ms since epoch), or undefined while listed. */
  goneSince: number | undefined = undefined;
  /** Attempts in flight, oldest first (a Set keeps insertion order). */
  readonly outstanding = new Set<InFlightAttempt>();
  /** Exponentially weighted latency of answered attempts, ms; undefined before the first answer. */
  latencyEwmaMs: number | undefined = undefined;
  /** `performance.now()` at which the latest answered attempt had been sent. */
  lastAnswerSentAt = -Infinity;
  /** Instance failures since the last answer. */
  consecutiveFailures = 0;
  /** The failure-percentage window: when it started (`performance.now()`), attempts and failures in it. */
  windowStartedAt = -Infinity;
  windowAttempts = 0;
  windowFailures = 0;
  /** Times ejected in a row (reset once the instance stays in for a while); scales the ejection time. */
  ejections = 0;
  /** `Date.now()` of the current ejection (while OPEN). */
  ejectedAt: number | undefined = undefined;
  /** `Date.now()` of the last re-admission. */
  readmittedAt: number | undefined = undefined;
  private breaker: CircuitBreaker<[Action], AttemptOutcome> | undefined;
  private openingReason: EjectionReason | undefined;

  constructor(
    public instance: ServiceInstance,
    readonly ref: InstanceRef,
    private readonly settings: EndpointSettings,
  ) {}

  private create(halfOpen: boolean): CircuitBreaker<[Action], AttemptOutcome> {
    const { breaker: b, probing } = this.settings;
    // a fresh options object every time: opossum writes into the one it gets
    const breaker = new CircuitBreaker<[Action], AttemptOutcome>((action: Action) => action().then(throwIfFailure), {
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
    } as CircuitBreaker.Options<[Action]>);
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
      this.consecutiveFailures = 0;
      this.settings.transitions.onClose(this);
    });
    return breaker;
  }

  get state(): BreakerState {
    const breaker = this.breaker;
    if (!breaker || breaker.closed) return 'CLOSED';
    return breaker.halfOpen ? 'HALF_OPEN' : 'OPEN';
  }

  /** Would an attempt be admitted now? Closed, or half-open with the trial slot free. Synchronous, allocation-free. */
  isAvailable(): boolean {
    const breaker = this.breaker;
    return breaker === undefined || breaker.closed || (breaker.pendingClose && breaker.halfOpen);
  }

  /** Runs one attempt through the breaker. Never rejects: a refusal is the `rejected` outcome. */
  run(action: Action): Promise<AttemptOutcome> {
    this.calls++;
    const breaker = (this.breaker ??= this.create(false));
    return breaker.fire(action).then(undefined, (error: unknown) => this.settle(error));
  }

  private settle(error: unknown): AttemptOutcome {
    if (typeof error === 'object' && error !== null && 'type' in error && countsAgainst(error as AttemptOutcome)) {
      this.failures++;
      return error as AttemptOutcome;
    }
    this.calls--;
    this.rejections++;
    return { type: 'rejected', error: new CircuitOpenError(this.settings.service, this.ref, { cause: error }) };
  }

  /** Records an answered attempt (any status below 500) that took `durationMs`. */
  recordAnswer(sentAt: number, durationMs: number): void {
    this.consecutiveFailures = 0;
    if (sentAt > this.lastAnswerSentAt) this.lastAnswerSentAt = sentAt;
    const ewma = this.latencyEwmaMs;
    this.latencyEwmaMs = ewma === undefined ? durationMs : ewma + LATENCY_EWMA_WEIGHT * (durationMs - ewma);
  }

  /** Opens the breaker now (outlier detection's ejection); the `breakerOpen` event carries `reason`. */
  eject(reason: EjectionReason): void {
    if (this.state === 'OPEN') return;
    const breaker = (this.breaker ??= this.create(false));
    this.openingReason = reason;
    breaker.open();
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

  /** Aborts the rescuable attempts in flight (their calls go on elsewhere). */
  rescueOutstanding(): number {
    let rescued = 0;
    for (const attempt of [...this.outstanding]) {
      if (attempt.rescuable) {
        attempt.rescue();
        rescued++;
      }
    }
    return rescued;
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
