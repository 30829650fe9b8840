/**
 * The capacity model of a capacity-limited instance (issue 17): at most `concurrency` requests in service
 * at a time, each taking `serviceMs` (a timer, not CPU: the benchmark's machine is not the bottleneck),
 * the rest waiting in arrival order in an unbounded queue. A request whose client went away is still
 * served when its turn comes, as a typical Node service does (nothing here watches the socket): the job
 * runs and its answer goes nowhere.
 *
 * Service times are kept on the clock, not per timer: a slot's next request starts when its previous one
 * was due to end, not when its timer happened to fire, so a late event loop (a busy machine) delays answers
 * but does not lower the capacity.
 */

export interface Capacity {
  /** Requests in service at once; `Infinity` for no limit (every request just takes `serviceMs`). */
  readonly concurrency: number;
  /** Service time of one request, ms. */
  readonly serviceMs: number;
}

/** Requests per second that `count` instances of `capacity` can serve at most. */
export function throughput(capacity: Capacity, count = 1): number {
  return (count * capacity.concurrency * 1000) / capacity.serviceMs;
}

/** The time (ms) and a timer that runs `fn` after `ms`: performance.now() and setTimeout by default; tests pass a fake clock. */
export interface Clock {
  now(): number;
  schedule(fn: () => void, ms: number): void;
}

const realClock: Clock = { now: () => performance.now(), schedule: (fn, ms) => void setTimeout(fn, ms) };

export class CapacityQueue {
  /** Each job waiting, with its service time and when it arrived (`clock.now()`). */
  private readonly waiting: Array<{ readonly job: () => void; readonly serviceMs: number; readonly arrivedAt: number }> = [];
  /** Index of the first job still waiting (a shift() per job would be O(n) on a long queue). */
  private head = 0;
  private busy = 0;
  /** The longest the queue got (not counting those in service). */
  maxQueued = 0;

  constructor(
    readonly capacity: Capacity,
    private readonly clock: Clock = realClock,
  ) {
    if (!(capacity.concurrency >= 1) || !(capacity.serviceMs >= 0)) throw new Error(`bad capacity ${JSON.stringify(capacity)}`);
  }

  /** In service now. */
  get inService(): number {
    return this.busy;
  }

  /** Waiting for a slot now. */
  get queued(): number {
    return this.waiting.length - this.head;
  }

  /**
   * Serves `job` (it sends the answer) once a slot is free and its service time has passed: the capacity's, or
   * `serviceMs` for this one (a late answer of the `tail` scenario).
   */
  submit(job: () => void, serviceMs = this.capacity.serviceMs): void {
    if (this.busy < this.capacity.concurrency) return this.serve(job, this.clock.now(), serviceMs);
    this.waiting.push({ job, serviceMs, arrivedAt: this.clock.now() });
    this.maxQueued = Math.max(this.maxQueued, this.queued);
  }

  /** Serves `job` from `startAt` (now, or when the slot's previous request was due to end). */
  private serve(job: () => void, startAt: number, serviceMs: number): void {
    this.busy++;
    const endAt = startAt + serviceMs;
    this.clock.schedule(() => {
      this.busy--;
      try {
        job();
      } finally {
        this.next(endAt);
      }
    }, Math.max(0, endAt - this.clock.now()));
  }

  /**
   * A slot freed at `freedAt`: the next request waiting starts then, or when it arrived if that was later (its
   * slot's timer fired late): no request is served in less than its service time after it arrived.
   */
  private next(freedAt: number): void {
    if (this.head >= this.waiting.length) return;
    const { job, serviceMs, arrivedAt } = this.waiting[this.head]!;
    this.waiting[this.head++] = undefined as unknown as (typeof this.waiting)[number];
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    this.serve(job, Math.max(freedAt, arrivedAt), serviceMs);
  }
}
