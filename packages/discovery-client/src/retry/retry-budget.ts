/** Options of {@link RetryBudget}. */
export interface RetryBudgetOptions {
  /** Retries allowed per call seen in the window (0.2 = retries may add 20 % load). */
  ratio: number;
  /** Retries always allowed per second, so low-traffic services can still fail over. */
  minPerSecond: number;
  /** Window length, ms. @default 10000 */
  windowMs?: number;
  now?: () => number;
}

export const DEFAULT_RETRY_BUDGET_WINDOW_MS = 10_000;
const BUCKETS = 10;

/**
 * Finagle-style retry budget over a sliding window of ten buckets: a retry is allowed while
 * `retries < ratio * calls + minPerSecond * windowSeconds`. Calls deposit, retries withdraw.
 */
export class RetryBudget {
  private readonly calls = new Float64Array(BUCKETS);
  private readonly retries = new Float64Array(BUCKETS);
  private readonly bucketMs: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private currentBucket: number;

  constructor(private readonly options: RetryBudgetOptions) {
    this.windowMs = options.windowMs ?? DEFAULT_RETRY_BUDGET_WINDOW_MS;
    this.bucketMs = this.windowMs / BUCKETS;
    this.now = options.now ?? Date.now;
    this.currentBucket = Math.floor(this.now() / this.bucketMs);
  }

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
    return bucket % BUCKETS;
  }

  /** A first attempt was made (`now`: the caller's clock reading, to save one; @default the budget's clock). */
  recordCall(now?: number): void {
    this.calls[this.rotate(now)]! += 1;
  }

  /** Takes one retry from the budget; false when the budget is spent. */
  tryWithdraw(): boolean {
    const slot = this.rotate();
    let calls = 0;
    let retries = 0;
    for (let i = 0; i < BUCKETS; i++) {
      calls += this.calls[i]!;
      retries += this.retries[i]!;
    }
    const allowed = this.options.ratio * calls + this.options.minPerSecond * (this.windowMs / 1000);
    if (retries + 1 > allowed) return false;
    this.retries[slot]! += 1;
    return true;
  }

  /** Retries still available in the current window. */
  get available(): number {
    this.rotate();
    let calls = 0;
    let retries = 0;
    for (let i = 0; i < BUCKETS; i++) {
      calls += this.calls[i]!;
      retries += this.retries[i]!;
    }
    return Math.max(0, Math.floor(this.options.ratio * calls + this.options.minPerSecond * (this.windowMs / 1000) - retries));
  }
}
