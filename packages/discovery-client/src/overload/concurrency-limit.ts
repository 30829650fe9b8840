import type { Attempt } from '../attempt/attempt.js';
import { callerStalls } from '../attempt/caller-stall.js';
import { VERDICTS, type AttemptOutcome } from '../attempt/outcome.js';
import type { PickDecorator, SlotQueue, SlotResult } from '../balancer/balancer.js';
import type { CompletePick } from '../balancer/picker.js';
import type { Endpoint } from '../breaker/endpoint.js';
import { OverloadedError, type ShedReason } from '../errors/overloaded-error.js';
import type { ResolvedConcurrencyLimit } from './concurrency-limit-options.js';
import { VegasLimit } from './vegas-limit.js';

/**
 * The longest wait in an overflowing queue as a share of the instances' no-load latency (at least
 * `overflowTargetMs`): every call admitted from it has waited about this long, so its latency grows by a
 * quarter, not double.
 */
const OVERFLOW_WAIT_PER_LATENCY = 0.25;

/** The share of its limit an instance starts with at the beginning of its slow start (Envoy's `min_weight_percent`, 10 %). */
const MIN_SLOW_START_SHARE = 0.1;

/** The concurrency limit's record of one endpoint. */
class LimitState {
  /** Attempts in flight through this limit, slots handed to waiting calls included. */
  inFlight = 0;
  /** The inner pick the cached `pick` wraps. */
  inner: CompletePick | undefined = undefined;
  pick: CompletePick | undefined = undefined;
  /** The `rejected` outcome of an attempt refused at the limit: one per endpoint, nothing allocated per refusal. */
  atLimit: AttemptOutcome | undefined = undefined;
  /** `performance.now()` until which the instance asked to be spared (429/503 with `Retry-After`); 0: not. */
  sparedUntil = 0;
  /** `performance.now()` when it came (back) into rotation while others served: its slow start; undefined: none. */
  rampFrom: number | undefined = undefined;

  constructor(
    readonly endpoint: Endpoint,
    readonly limit: VegasLimit,
  ) {}
}

/** A call waiting for a free slot. */
class Waiter {
  done = false;
  timer: NodeJS.Timeout | undefined = undefined;

  constructor(
    readonly resolve: (result: SlotResult) => void,
    /** `performance.now()` when it started waiting. */
    readonly since: number,
    /** Instance keys the call already tried: a slot there is handed to it only when nothing else is usable. */
    readonly avoid: ReadonlySet<string> | undefined,
  ) {}
}

/**
 * Adaptive concurrency, a pick decorator: each endpoint has a limit of attempts in flight that follows its
 * latency ({@link VegasLimit}). An attempt on an endpoint at its limit is refused before it is sent (a
 * `rejected` outcome, reason `limit`, that counts against nothing); the call tries another endpoint, and
 * when every usable endpoint is at its limit it waits here ({@link waitForSlot}) for the next slot to free,
 * the slot is handed to the oldest waiting call (reserved, so a call arriving meanwhile cannot take it
 * first). The wait is bounded as in Facebook's "Fail at Scale" (controlled delay, after CoDel): a call waits
 * up to `queueIntervalMs` while the queue drains now and then (a burst); once it has not been empty for
 * `queueIntervalMs` (a standing queue) up to `queueTargetMs` while the instances keep up with it (it holds no
 * more calls than they serve in `queueTargetMs`: a closed loop of more callers than the limits, whose queue
 * stands without overload), and only up to `overflowTargetMs` once it holds more (arrivals outpace the fleet:
 * overload, where a longer wait only delays the calls served without serving more of them); both until it stays
 * empty for `queueIntervalMs`. Beyond that, past the call's deadline, or with `maxQueued` calls waiting, the call
 * is shed with an {@link OverloadedError}. Freed slots go
 * to the oldest waiting call first (see {@link drain} for why not newest-first).
 *
 * An instance that comes into rotation (new, or re-admitted after an ejection) while others serve starts with a
 * tenth of its limit and ramps to all of it over `slowStartWindowMs` (Envoy's slow start): a re-admitted instance
 * is not handed everyone's share at once.
 *
 * An instance that answers 429 or 503 with `Retry-After` is spared for the time it asked: attempts on it are
 * refused as at its limit (back-pressure, not a failure: nothing ejects it). At most half of the usable
 * instances are spared at once.
 *
 * A timed-out attempt is a drop for the limit; answers are its latency samples. Outcomes that the caller's
 * own event-loop stall distorted never reach it (the attempt says so).
 */
export class ConcurrencyLimit implements PickDecorator, SlotQueue {
  private readonly states = new Map<Endpoint, LimitState>();
  private usable: LimitState[] = [];
  private readonly waiters: Waiter[] = [];
  private head = 0;
  private waiting = 0;
  /** `performance.now()` since when calls have been waiting without a break, and since when none has. */
  private queueSince = 0;
  private emptySince = -Infinity;
  /** The queue has stood for an interval: waits are held to the target until it stays empty for an interval. */
  private standing = false;
  /** A standing queue held more calls than the instances serve in `queueTargetMs`: overload, until it stays empty for an interval. */
  private overflowing = false;
  /** Attempts that ended since the queue last became non-empty: the rate the instances serve while it waits. */
  private endedSinceQueue = 0;
  private cursor = 0;
  /** Calls shed so far, by reason. */
  readonly shed: Record<ShedReason, number> = { 'queue-full': 0, 'queue-timeout': 0 };

  constructor(
    private readonly service: string,
    private readonly settings: ResolvedConcurrencyLimit,
    private readonly now: () => number = () => performance.now(),
  ) {}

  snapshot(listed: readonly Endpoint[], usable: readonly Endpoint[]): void {
    const previous = new Set(this.usable);
    this.usable = usable.map((endpoint) => this.state(endpoint));
    // new or re-admitted while others already serve: slow start
    if (previous.size > 0 && this.settings.slowStartWindowMs > 0) {
      const now = this.now();
      for (const state of this.usable) if (!previous.has(state)) state.rampFrom = now;
    }
    const stillListed = new Set(listed);
    for (const [endpoint, state] of this.states) if (!stillListed.has(endpoint) && state.inFlight === 0) this.states.delete(endpoint);
    if (this.waiting > 0) this.drain();
  }

  wrap(endpoint: Endpoint, inner: CompletePick): CompletePick {
    const state = this.state(endpoint);
    if (state.inner !== inner || state.pick === undefined) {
      state.inner = inner;
      state.pick = {
        type: 'complete',
        endpoint: inner.endpoint,
        onCallStarted: (attempt) => (this.full(state) ? this.refuse(state) : this.admit(state, inner, attempt)),
        onCallEnded: (attempt, outcome) => this.ended(state, inner, attempt, outcome),
      };
    }
    return state.pick;
  }

  /** The limit in force on `endpoint` (undefined before it was ever listed). */
  limitOf(endpoint: Endpoint): number | undefined {
    return this.states.get(endpoint)?.limit.current;
  }

  /** Calls waiting for a slot now. */
  get queued(): number {
    return this.waiting;
  }

  /**
   * A free slot for a call that found every usable endpoint at its limit: the pick to send on (its slot
   * reserved), at once when one is free, else when one frees within `ms`; or `shed` with an
   * {@link OverloadedError} when the queue is full or `ms` passes first. A call that waits is handed `leave`
   * (`queued`): called, it takes the call out of the queue (cancelled: it is neither handed a slot nor shed) and
   * returns true, or returns false when the call had left the queue already (its promise settles).
   */
  waitForSlot(ms: number, avoid?: ReadonlySet<string>, queued?: (leave: () => boolean) => void): Promise<SlotResult> {
    if (this.waiting === 0) {
      const free = this.freeSlot(avoid);
      if (free !== undefined) return Promise.resolve(this.handOff(free));
    }
    const now = this.now();
    const waitMs = Math.min(ms, this.allowedWaitMs(now));
    if (this.waiting >= this.settings.maxQueued || waitMs <= 0) return Promise.resolve(this.shedCall(waitMs <= 0 ? 'queue-timeout' : 'queue-full'));
    return new Promise((resolve) => {
      const waiter = new Waiter(resolve, now, avoid);
      waiter.timer = setTimeout(() => {
        waiter.done = true;
        this.dequeued();
        resolve(this.shedCall('queue-timeout'));
      }, waitMs);
      waiter.timer.unref();
      if (this.waiting === 0) {
        this.queueSince = now;
        this.endedSinceQueue = 0;
        if (now - this.emptySince >= this.settings.queueIntervalMs) this.standing = this.overflowing = false;
      }
      this.waiters.push(waiter);
      this.waiting++;
      queued?.(() => this.leave(waiter));
    });
  }

  /** A waiting call was cancelled: out of the queue, its promise left unsettled; false when it had left already (a slot was handed to it, or it was shed). */
  private leave(waiter: Waiter): boolean {
    if (waiter.done) return false;
    waiter.done = true;
    clearTimeout(waiter.timer);
    this.dequeued();
    if (this.waiting === 0) {
      // every waiter left in the list is done
      this.waiters.length = 0;
      this.head = 0;
    }
    return true;
  }

  /**
   * How long a call may wait now: the interval; the target once calls have been waiting for an interval without
   * a break (a standing queue); the overflow target once that queue holds more calls than the instances serve in
   * the target (overload); both until the queue stays empty for an interval.
   */
  private allowedWaitMs(now: number): number {
    const { queueIntervalMs, queueTargetMs, overflowTargetMs } = this.settings;
    // the calls the caller's own stall held back arrive at once: a burst of its making, not overload; for as
    // long as the stall lasted, they may wait the interval plus its length (the limits grow meanwhile)
    callerStalls.catchUp(performance.now());
    const sinceStall = now - callerStalls.lastStallEndedAt;
    if (sinceStall < callerStalls.lastStallMs) return queueIntervalMs + callerStalls.lastStallMs;
    const noLoadMs = this.noLoadLatencyMs();
    if (this.waiting > 0 && now - this.queueSince >= queueIntervalMs) {
      this.standing = true;
      // the queue has been waiting without a break, every slot busy: the instances serve endedSinceQueue in that
      // time; a rate is read only once every slot could have turned over (a cold client's first answers are slow)
      if (!this.overflowing && this.endedSinceQueue >= this.totalLimit()) {
        const servedPerMs = this.endedSinceQueue / (now - this.queueSince);
        if (this.waiting > servedPerMs * Math.max(queueTargetMs, noLoadMs)) this.overflowing = true;
      }
    }
    if (this.overflowing) return Math.max(overflowTargetMs, noLoadMs * OVERFLOW_WAIT_PER_LATENCY);
    return this.standing ? Math.max(queueTargetMs, noLoadMs) : queueIntervalMs;
  }

  private dequeued(): void {
    if (--this.waiting === 0) this.emptySince = this.now();
  }

  /** Sheds every waiting call (the client is closing). */
  close(): void {
    while (this.head < this.waiters.length) {
      const waiter = this.waiters[this.head++]!;
      if (waiter.done) continue;
      waiter.done = true;
      clearTimeout(waiter.timer);
      waiter.resolve(this.shedCall('queue-timeout'));
    }
    this.waiters.length = 0;
    this.head = 0;
    this.waiting = 0;
  }

  private state(endpoint: Endpoint): LimitState {
    let state = this.states.get(endpoint);
    if (!state) this.states.set(endpoint, (state = new LimitState(endpoint, new VegasLimit(this.settings, this.now()))));
    return state;
  }

  /** At its limit (during slow start, the ramped share of it), or spared for the time its `Retry-After` asked. */
  private full(state: LimitState): boolean {
    if (state.inFlight >= state.limit.current) return true;
    if (state.rampFrom !== undefined && state.inFlight >= this.rampedLimit(state)) return true;
    if (state.sparedUntil === 0) return false;
    if (this.now() < state.sparedUntil) return true;
    state.sparedUntil = 0;
    return false;
  }

  /**
   * Envoy's slow start: a share of the limit growing linearly from 10 % to all of it over `slowStartWindowMs`
   * since the instance came into rotation.
   */
  private rampedLimit(state: LimitState): number {
    const share = (this.now() - state.rampFrom!) / this.settings.slowStartWindowMs;
    if (share >= 1) {
      state.rampFrom = undefined;
      return state.limit.current;
    }
    return Math.max(1, Math.floor(state.limit.current * Math.max(MIN_SLOW_START_SHARE, share)));
  }

  private admit(state: LimitState, inner: CompletePick, attempt: Attempt): AttemptOutcome | undefined {
    const refused = inner.onCallStarted(attempt);
    if (refused === undefined) state.inFlight++;
    return refused;
  }

  private refuse(state: LimitState): AttemptOutcome {
    return (state.atLimit ??= {
      type: 'rejected',
      verdict: VERDICTS.limited,
      durationMs: 0,
      reason: 'limit',
      error: new OverloadedError(this.service, 'queue-full', 0, state.limit.current),
    });
  }

  private ended(state: LimitState, inner: CompletePick, attempt: Attempt, outcome: AttemptOutcome): Promise<void> | undefined {
    const inFlight = state.inFlight--;
    this.endedSinceQueue++;
    if (!attempt.inCallerStall) {
      if (outcome.verdict.answered) state.limit.onAnswer(attempt.startedAt, outcome.durationMs, inFlight, callerStalls.lagMs);
      else if (outcome.type === 'instanceFailure' && outcome.reason === 'timeout') state.limit.onDrop();
    }
    if (outcome.type === 'instanceFailure' && outcome.reason === 'backpressure') this.spare(state, attempt.startedAt + outcome.durationMs, outcome.retryAfterMs ?? 0);
    const settled = inner.onCallEnded(attempt, outcome);
    if (this.waiting > 0) this.drain();
    return settled;
  }

  /**
   * The instance asked to be spared for `ms` from `now`. At most half of the usable instances are spared at
   * once (as at most half may be ejected): a 503 that several instances send alike (a database they share is
   * busy) says the fleet is busy, and sparing them all would shed every call.
   */
  private spare(state: LimitState, now: number, ms: number): void {
    if (state.sparedUntil > now) {
      state.sparedUntil = Math.max(state.sparedUntil, now + ms);
      return;
    }
    let spared = 0;
    for (const other of this.usable) if (other.sparedUntil > now) spared++;
    if ((spared + 1) * 2 > this.usable.length) return;
    state.sparedUntil = now + ms;
  }

  /**
   * Hands free slots to waiting calls, oldest first, and sheds those that waited longer than the queue allows
   * now. Oldest first even while the queue stands: Facebook's "Fail at Scale" turns a standing server queue
   * newest-first (adaptive LIFO), but a client's queue stands without any overload whenever a closed loop has
   * more callers than the instances' limits (a gateway's users, a load client with 16 workers), and newest-first
   * there starves the oldest caller until it is shed (measured: a healthy in-process closed loop of 16 shed).
   */
  private drain(): void {
    const now = this.now();
    const allowedMs = this.allowedWaitMs(now);
    while (this.waiting > 0) {
      const waiter = this.waiters[this.head]!;
      if (waiter.done) {
        this.head++;
        continue;
      }
      const free = this.freeSlot(waiter.avoid);
      if (free === undefined) break;
      this.head++;
      waiter.done = true;
      clearTimeout(waiter.timer);
      const late = now - waiter.since > allowedMs;
      this.dequeued();
      waiter.resolve(late ? this.shedCall('queue-timeout') : this.handOff(free));
    }
    if (this.head === this.waiters.length || this.head > 1024) {
      this.waiters.splice(0, this.head);
      this.head = 0;
    }
  }

  /**
   * A usable endpoint below its limit, taken in turn, and not one the call tried already (`avoid`: its
   * instance may just have failed it) unless the call has tried every usable one.
   */
  private freeSlot(avoid?: ReadonlySet<string>): LimitState | undefined {
    const usable = this.usable;
    const n = usable.length;
    let triedAll = avoid !== undefined;
    for (let k = 0; k < n; k++) {
      const state = usable[(this.cursor + k) % n]!;
      const avoided = avoid !== undefined && avoid.has(state.endpoint.instance.key);
      if (!avoided) triedAll = false;
      if (!avoided && !this.full(state) && state.endpoint.isAvailable()) {
        this.cursor = (this.cursor + k + 1) % n;
        return state;
      }
    }
    return triedAll ? this.freeSlot() : undefined;
  }

  /** A pick on `state`'s endpoint whose slot is taken already: the waiting call sends on it. */
  private handOff(state: LimitState): SlotResult {
    state.inFlight++;
    const pick = state.pick!;
    const inner = state.inner!;
    return {
      type: 'complete',
      endpoint: pick.endpoint,
      onCallStarted: (attempt: Attempt) => {
        const refused = inner.onCallStarted(attempt);
        if (refused !== undefined) {
          state.inFlight--;
          if (this.waiting > 0) this.drain();
        }
        return refused;
      },
      onCallEnded: pick.onCallEnded,
    };
  }

  /** The smallest no-load latency among the usable instances, ms (0 before any was measured). */
  private noLoadLatencyMs(): number {
    let latency = Infinity;
    for (const state of this.usable) latency = Math.min(latency, state.limit.noLoadLatencyMs);
    return Number.isFinite(latency) ? latency : 0;
  }

  private totalLimit(): number {
    let total = 0;
    for (const state of this.usable) total += state.limit.current;
    return total;
  }

  private shedCall(reason: ShedReason): SlotResult {
    this.shed[reason]++;
    return { type: 'shed', error: new OverloadedError(this.service, reason, this.waiting, this.totalLimit()) };
  }
}
