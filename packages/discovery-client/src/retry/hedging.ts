import type { Attempt, PreparedCall } from '../attempt/attempt.js';
import type { AttemptOutcome } from '../attempt/outcome.js';
import type { PickerSource } from '../balancer/balancer.js';
import type { CompletePick } from '../balancer/picker.js';
import type { EndpointView } from '../breaker/endpoint.js';
import type { Transport } from '../transport/transport.js';
import { HedgeDelay } from './hedge-delay.js';
import type { ResolvedHedging } from './hedging-options.js';
import { RetryBudget } from './retry-budget.js';

/** Hedges of one service so far (its snapshot shows them). */
export class HedgeCounts {
  /** Hedges sent. */
  sent = 0;
  /** Calls whose result came from a hedge. */
  won = 0;
}

/** What a hedging race reads of its call (the service client's call state). */
export interface HedgedCall {
  /** The call waited for a slot at a concurrency limit: overload, so no hedge. */
  readonly waited: boolean;
  /** Instance keys this call tried already: a hedge avoids them. */
  readonly tried: ReadonlySet<string> | undefined;
  /** The call was cancelled or its client is closing: no hedge goes out. */
  readonly draining: boolean;
}

/** What a hedging race needs of the call loop: the service client's own steps around an attempt. */
export interface HedgeHost<C extends HedgedCall> {
  readonly transport: Transport;
  /** A new attempt of `call` on `endpoint` (its timeout within the call's deadline). */
  newAttempt(call: C, endpoint: EndpointView): Attempt;
  /** The pick admitted the attempt: it is sent (attempt count, `instancePicked`). */
  sending(call: C, endpoint: EndpointView, attempt: Attempt): void;
  /** A hedge goes out after `delayMs` (`callHedged`); `of` is the attempt in flight it races. */
  hedged(call: C, endpoint: EndpointView, of: EndpointView, delayMs: number, hedge: number): void;
  /** The attempt ended: the pick's hooks count it and the call events report it; a promise when the call must wait for the count. */
  ended(pick: CompletePick, attempt: Attempt, outcome: AttemptOutcome): Promise<void> | undefined;
  /** An attempt of the race failed while another still runs: the call remembers its instance as tried and failed. */
  failedMeanwhile(call: C, endpoint: EndpointView, outcome: AttemptOutcome): void;
}

/** The attempt of a race that decides the call: an answer, or the last failure when every attempt failed. */
export interface RaceResult {
  readonly pick: CompletePick;
  readonly outcome: AttemptOutcome;
}

/** One attempt of a race. */
class Racer {
  outcome: AttemptOutcome | undefined = undefined;
  readonly settled: Promise<Racer>;

  constructor(
    readonly pick: CompletePick,
    readonly attempt: Attempt,
    sent: Promise<AttemptOutcome>,
    readonly hedge: boolean,
  ) {
    this.settled = sent.then((outcome) => {
      this.outcome = outcome;
      return this;
    });
  }
}

/**
 * Hedging of one service client (Google's "The Tail at Scale"; gRPC's hedging policy; Finagle's
 * `BackupRequestFilter`): the call's attempt is sent; when it has not answered within the hedge delay (a
 * percentile of the service's recent answered latencies, {@link HedgeDelay}), a hedge goes to another
 * instance, up to `maxHedges`, each a delay after the one before. The first answer (2xx-4xx) wins; the attempts
 * still running are aborted with a `hedgeLost` outcome, which counts against no instance. A failure (5xx,
 * timeout, connection) does not end the race while another attempt runs; when all fail the last failure goes to
 * the retry decision.
 *
 * The extra load is bounded twice, as Finagle's `idempotent(maxExtraLoad)` bounds it: the delay percentile sends
 * about `100 - delayPercentile` % hedges, and a budget of its own (a {@link RetryBudget} of ratio `maxExtraLoad`,
 * no minimum) refuses any hedge past `maxExtraLoad` of the hedgeable calls of the last 10 s.
 *
 * It stops by itself under overload: no hedge before enough answers (`HEDGE_DELAY_MIN_SAMPLES`), none for a call
 * that waited for a slot at a concurrency limit, none while calls wait for one, none when the retry budget is
 * spent (each hedge withdraws from it, as Finagle's backups do), and none that the instance's concurrency
 * limit or breaker refuses (a hedge is never queued); nor when the only instance left is one already tried.
 */
export class Hedging<C extends HedgedCall> {
  private readonly delay: HedgeDelay;
  /** Hedges sent against hedgeable calls made, over Finagle's 10 s window: at most `maxExtraLoad` of them. */
  private readonly extraLoad: RetryBudget;

  constructor(
    private readonly settings: ResolvedHedging,
    private readonly balancer: PickerSource,
    private readonly budget: { readonly available: number; tryWithdraw(): boolean } | undefined,
    readonly counts: HedgeCounts,
    private readonly host: HedgeHost<C>,
  ) {
    this.delay = new HedgeDelay(settings.delayPercentile, settings.minDelayMs);
    this.extraLoad = new RetryBudget({ ratio: settings.maxExtraLoad, minPerSecond: 0 });
  }

  /** The hedge delay now, ms; undefined before enough answers. */
  get delayMs(): number | undefined {
    return this.delay.delayMs;
  }

  /**
   * Runs `attempt` (admitted by `pick`, counted as sent) and the hedges it gets; resolves with the attempt
   * that decides the call, every attempt of the race ended through the host (losers: their hooks only).
   */
  async race(call: C, pick: CompletePick, attempt: Attempt, request: PreparedCall): Promise<RaceResult> {
    const first = new Racer(pick, attempt, attempt.send(this.host.transport, request), false);
    const racers = [first];
    this.extraLoad.pendingCalls++;
    let hedges = call.waited ? this.settings.maxHedges : 0;
    for (;;) {
      const delayMs = hedges < this.settings.maxHedges ? this.delay.delayMs : undefined;
      const next = await this.next(racers, delayMs);
      if (next === undefined) {
        const hedge = this.hedge(call, racers, request, delayMs!, ++hedges);
        if (hedge === undefined) hedges = this.settings.maxHedges;
        else racers.push(hedge);
        continue;
      }
      racers.splice(racers.indexOf(next), 1);
      const outcome = next.outcome!;
      if (outcome.verdict.answered) this.recordLatency(first, next, outcome);
      const counted = this.host.ended(next.pick, next.attempt, outcome);
      if (outcome.verdict.answered || racers.length === 0) {
        if (outcome.verdict.answered && next.hedge) this.counts.won++;
        for (const loser of racers) this.abandon(loser);
        if (counted) await counted;
        return { pick: next.pick, outcome };
      }
      this.host.failedMeanwhile(call, next.pick.endpoint, outcome);
      if (counted) await counted;
    }
  }

  /**
   * The race's one latency sample for the hedge delay: the first attempt's, as Finagle's `BackupRequestFilter`
   * keeps only the originals'. When a hedge answered first, the first attempt's latency is unknown but at least
   * its age now (above the hedge delay): that lower bound is kept. Recording the hedge's own, shorter latency
   * instead would leave the slow answers out of the window, pull the percentile down and send ever more hedges
   * (measured: 8 % extra attempts at the 97th percentile with a tight latency distribution).
   */
  private recordLatency(first: Racer, answered: Racer, outcome: AttemptOutcome): void {
    if (first.attempt.inCallerStall) return;
    if (answered === first) this.delay.record(outcome.durationMs);
    else if (first.outcome === undefined) this.delay.record(performance.now() - first.attempt.startedAt);
  }

  /** Stops the extra-load budget's clock (the service client's `close()`). */
  close(): void {
    this.extraLoad.close();
  }

  /** The first racer to settle, or undefined when the hedge delay since the latest attempt passes first. */
  private async next(racers: readonly Racer[], delayMs: number | undefined): Promise<Racer | undefined> {
    if (delayMs === undefined) return Promise.race(racers.map((r) => r.settled));
    const latest = racers[racers.length - 1]!.attempt.startedAt;
    let timer: NodeJS.Timeout | undefined;
    const due = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), Math.max(0, latest + delayMs - performance.now()));
      timer.unref();
    });
    try {
      return await Promise.race([...racers.map((r) => r.settled), due]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A hedge on another instance, sent; undefined when none may go now (then the call hedges no more). */
  private hedge(call: C, racers: readonly Racer[], request: PreparedCall, delayMs: number, number: number): Racer | undefined {
    if (call.draining) return undefined;
    if (this.balancer.queued > 0) return undefined;
    if (this.extraLoad.available < 1) return undefined;
    if (this.budget !== undefined && this.budget.available < 1) return undefined;
    const avoid = new Set(call.tried);
    for (const racer of racers) avoid.add(racer.pick.endpoint.instance.key);
    const pick = this.balancer.picker.pick(avoid);
    if (pick.type !== 'complete' || avoid.has(pick.endpoint.instance.key)) return undefined;
    const attempt = this.host.newAttempt(call, pick.endpoint);
    // refused at a concurrency limit or by the breaker: not sent, never queued
    if (pick.onCallStarted(attempt) !== undefined) return undefined;
    this.extraLoad.tryWithdraw();
    this.budget?.tryWithdraw();
    this.counts.sent++;
    this.host.sending(call, pick.endpoint, attempt);
    this.host.hedged(call, pick.endpoint, racers[0]!.pick.endpoint, delayMs, number);
    return new Racer(pick, attempt, attempt.send(this.host.transport, request), true);
  }

  /** Another attempt won: aborts this one and lets its hooks count the `hedgeLost` outcome when it comes. */
  private abandon(loser: Racer): void {
    loser.attempt.loseHedge();
    void loser.settled.then((settled) => loser.pick.onCallEnded(loser.attempt, settled.outcome!));
  }
}
