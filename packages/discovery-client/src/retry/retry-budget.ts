/** Options of {@link RetryBudget}. */
export interface RetryBudgetOptions {
  /** Retries allowed per call seen in the window (0.2 = retries may add 20 % load). */
  ratio: number;
  /** Retries always allowed per second, so low-traffic services can still fail over. */
  minPerSecond: number;
  /** Window length, ms. @default 10000 (Finagle's `RetryBudget` TTL) */
  windowMs?: number;
  now?: () => number;
}

export const DEFAULT_RETRY_BUDGET_WINDOW_MS = 10_000;
const BUCKETS = 10;

/**
 * Finagle-style retry budget over a sliding window of ten buckets: a retry is allowed while
 * `retries < ratio * calls + minPerSecond * windowSeconds`. Calls deposit, retries withdraw.
 *
 * A call deposits by adding one to {@link pendingCalls}, a plain field (the call path runs no code here);
 * the budget moves them into the bucket of the moment once per bucket (an unref'd timer) and whenever it
 * is asked, so a call may be counted one bucket (1 s of the default 10 s window) later than it was made.
 */
export class RetryBudget {
  /** Calls made since the budget last counted them: the service client adds one per call. */
  pendingCalls = 0;
  private readonly calls = new Float64Array(BUCKETS);
  private readonly retries = new Float64Array(BUCKETS);
  private readonly bucketMs: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private currentBucket: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: RetryBudgetOptions) {
    this.windowMs = options.windowMs ?? DEFAULT_RETRY_BUDGET_WINDOW_MS;
    this.bucketMs = this.windowMs / BUCKETS;
    this.now = options.now ?? Date.now;
    this.currentBucket = Math.floor(this.now() / this.bucketMs);
    if (options.now === undefined) {
      this.timer = setInterval(() => this.rotate(), this.bucketMs);
      this.timer.unref();
    }
  }

  /** Counts the pending calls into the bucket of the moment, after moving the window to now. */
  private rotate(now: number = this.now()): number {
    const bucket = Math.floor(now / this.bucketMs);
    const steps = bucket - this.currentBucket;
    if (steps > 0) {
      for (let i = 1; i <= Math.min(steps, BUCKETS); i++) {
        const slot = (this.currentBucket + i) % BUCKETS;
        this.calls[slot] = 0;
        this.retries[slot] = 0;
      }
      this.currentBucket = bucket;
    }
    const slot = bucket % BUCKETS;
    this.calls[slot]! += this.pendingCalls;
    this.pendingCalls = 0;
    return slot;
  }

  /** A call was made (the same as `pendingCalls++`). */
  recordCall(): void {
    this.pendingCalls++;
  }

  private allowance(): { allowed: number; retries: number } {
    let calls = 0;
    let retries = 0;
    for (let i = 0; i < BUCKETS; i++) {
      calls += this.calls[i]!;
      retries += this.retries[i]!;
    }
    return { allowed: this.options.ratio * calls + this.options.minPerSecond * (this.windowMs / 1000), retries };
  }

  /** Takes one retry from the budget; false when the budget is spent. */
  tryWithdraw(): boolean {
    const slot = this.rotate();
    const { allowed, retries } = this.allowance();
    if (retries + 1 > allowed) return false;
    this.retries[slot]! += 1;
    return true;
  }

  /** Retries still available in the current window. */
  get available(): number {
    this.rotate();
    const { allowed, retries } = this.allowance();
    return Math.max(0, Math.floor(allowed - retries));
  }

  /** Stops the bucket clock. */
  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
