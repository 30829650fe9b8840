import type { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';
import { CircuitOpenError } from '../errors/circuit-open-error.js';
import type { InstanceRef } from '../instance.js';
import type { BreakerSettings } from './presets.js';

/** Breaker state as the walkthrough prints it. */
export type BreakerState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

/** What the pool hears from one breaker. */
export interface BreakerTransitions {
  onOpen(breaker: InstanceBreaker): void;
  /** `early`: forced because the registry reported the instance passing again. */
  onHalfOpen(breaker: InstanceBreaker, early: boolean): void;
  onClose(breaker: InstanceBreaker): void;
}

type Action = () => Promise<unknown>;

/**
 * One opossum 9 breaker guarding one instance, created on the instance's first call. opossum's own timeout is off (the service client times each
 * attempt inside the breaker and aborts the request); opossum's errors are translated here and never escape.
 *
 * Half-open admits one probe at a time: opossum 9 clears `pendingClose` when the probe starts and rejects
 * everything else until the probe settles (checked by the breaker-pool tests).
 */
export class InstanceBreaker {
  /** Created on the first call: a listed instance that was never called costs no opossum object. */
  private breaker: CircuitBreaker<[Action], unknown> | undefined;
  /** Calls admitted, failures counted, rejections; for snapshots. */
  calls = 0;
  failures = 0;
  rejections = 0;
  /** When the pool saw the instance leave the passing list (ms since epoch), or undefined while listed. */
  goneSince: number | undefined = undefined;
  /** The pool's entry for this breaker. */
  owner: unknown = undefined;

  constructor(
    readonly service: string,
    readonly instance: InstanceRef,
    private readonly settings: BreakerSettings,
    private readonly isFailure: (error: unknown) => boolean,
    private readonly transitions: BreakerTransitions,
    private readonly rotateBucketController: EventEmitter,
  ) {}

  private create(halfOpen: boolean): CircuitBreaker<[Action], unknown> {
    // a fresh options object every time: opossum writes into the one it gets
    const breaker = new CircuitBreaker<[Action], unknown>((action: Action) => action(), {
      name: `${this.service}/${this.instance.id}`,
      timeout: false,
      resetTimeout: this.settings.resetTimeout,
      errorThresholdPercentage: this.settings.errorThresholdPercentage,
      volumeThreshold: this.settings.volumeThreshold,
      rollingCountTimeout: this.settings.rollingCountTimeout,
      rollingCountBuckets: this.settings.rollingCountBuckets,
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      rotateBucketController: this.rotateBucketController,
      errorFilter: (error: unknown) => !this.isFailure(error),
      ...(halfOpen ? { state: { closed: false, halfOpen: true } } : {}),
    } as CircuitBreaker.Options<[Action]>);
    breaker.on('open', () => this.transitions.onOpen(this));
    breaker.on('halfOpen', () => this.transitions.onHalfOpen(this, false));
    breaker.on('close', () => this.transitions.onClose(this));
    return breaker;
  }

  get state(): BreakerState {
    const breaker = this.breaker;
    if (!breaker || breaker.closed) return 'CLOSED';
    return breaker.halfOpen ? 'HALF_OPEN' : 'OPEN';
  }

  /** Would a call be admitted now? Closed, or half-open with the probe slot free. Synchronous, allocation-free. */
  isAvailable(): boolean {
    const breaker = this.breaker;
    return breaker === undefined || breaker.closed || (breaker.pendingClose && breaker.halfOpen);
  }

  /**
   * Runs one attempt through the breaker without translating rejections (one promise layer less, for the
   * service client's hot path): what it rejects with must go through {@link translate} before a caller sees it.
   */
  fireUntranslated<T>(action: () => Promise<T>): Promise<T> {
    this.calls++;
    const breaker = (this.breaker ??= this.create(false));
    return breaker.fire(action) as Promise<T>;
  }

  /** opossum's errors become ours at this boundary ({@link CircuitOpenError}); counts failures and rejections. */
  translate(error: unknown): unknown {
    if (error instanceof Error && CircuitBreaker.isOurError(error)) {
      this.calls--;
      this.rejections++;
      return new CircuitOpenError(this.service, this.instance, { cause: error });
    }
    if (this.isFailure(error)) this.failures++;
    return error;
  }

  /** Runs one attempt through the breaker; an open circuit rejects with {@link CircuitOpenError}. */
  fire<T>(action: () => Promise<T>): Promise<T> {
    return this.fireUntranslated(action).catch((error: unknown) => {
      throw this.translate(error);
    });
  }

  /**
   * The registry says the instance is passing again while the breaker is OPEN: skip the rest of the retest
   * delay and let the next call probe it now.
   */
  probeNow(): boolean {
    if (this.state !== 'OPEN') return false;
    this.breaker?.shutdown();
    this.breaker = this.create(true);
    this.transitions.onHalfOpen(this, true);
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
