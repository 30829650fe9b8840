/** What the guard reads of an endpoint (`endpoint.ts` implements it). */
export interface GuardedEndpoint {
  readonly state: 'CLOSED' | 'OPEN' | 'HALF_OPEN';
  /** `performance.now()` when its latest attempt that counted against it ended. */
  readonly lastFailedAt: number;
  /** Share of its recent attempts that counted against it, 0–1. */
  readonly failureRate: number;
}

/** An instance fails now when its latest failure is this recent, ms… */
export const FAILING_WINDOW_MS = 1000;
/** …and at least this share of its recent attempts failed. */
export const FAILING_RATE = 0.5;

/**
 * The one rule every ejection obeys, opossum's error-percentage rule and each of outlier detection's alike:
 *
 * - never more than `maxEjectionPercent` of the listed instances ejected at once, rounded down (Envoy's
 *   `max_ejection_percent`; so a service with one instance is never ejected, and a blip in the caller's own
 *   network cannot empty the pool: past the cap the balancer keeps spreading calls over every listed
 *   instance, as Envoy's panic threshold does, rather than failing calls an instance could answer);
 * - no ejection while more than half of the instances in rotation fail now (at least half of their recent
 *   attempts failed, the latest within the last second), the candidate counted: when most
 *   of the fleet fails at once it is overloaded (or the caller's own network is), not one instance an outlier,
 *   and ejecting one would only pile its load on the others. The client sheds instead (adaptive concurrency).
 *
 * An ejection the guard refuses is simply not made: the instance stays in rotation and its next failure asks
 * again.
 */
export class EjectionGuard {
  private listed: readonly GuardedEndpoint[] = [];

  constructor(
    /** 0–100. */
    private readonly maxEjectionPercent: number,
  ) {}

  /** The listed endpoints (a new resolved list). */
  setListed(listed: readonly GuardedEndpoint[]): void {
    this.listed = listed;
  }

  /** Whether `endpoint` may be ejected now (`now`: `performance.now()`). */
  allows(endpoint: GuardedEndpoint, now: number = performance.now()): boolean {
    const listed = this.listed;
    let ejected = 0;
    let failing = 0;
    for (const other of listed) {
      if (other.state !== 'CLOSED') ejected++;
      else if (other === endpoint || (now - other.lastFailedAt <= FAILING_WINDOW_MS && other.failureRate >= FAILING_RATE)) failing++;
    }
    if (ejected + 1 > Math.floor((listed.length * this.maxEjectionPercent) / 100)) return false;
    return failing * 2 <= listed.length - ejected;
  }
}
