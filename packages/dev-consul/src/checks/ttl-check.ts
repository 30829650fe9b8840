/**
 * A TTL check (`checks.CheckTTL`): armed at registration, re-armed by every pass/warn/fail/update, and
 * critical with `TTL expired` when nothing arrives in time (whatever the initial status was).
 */
import type { CheckReporter, CheckRunner } from './check-runner.js';

/** The output of an expired TTL check, quoting the last output when there was one. */
export function ttlExpiredOutput(lastOutput: string): string {
  return lastOutput === '' ? 'TTL expired' : `TTL expired (last output before timeout follows): ${lastOutput}`;
}

export class TtlCheck implements CheckRunner {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  /**
   * @param ttlMs time allowed between updates.
   * @param lastOutput reads the check's current output when the TTL runs out.
   * @param report sets the check critical.
   */
  constructor(
    private readonly ttlMs: number,
    private readonly lastOutput: () => string,
    private readonly report: CheckReporter,
  ) {
    this.arm();
  }

  /** Restarts the TTL clock (called on every status update). */
  reset(): void {
    if (!this.stopped) this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  private arm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) this.report('critical', ttlExpiredOutput(this.lastOutput()));
    }, this.ttlMs);
    this.timer.unref();
  }
}
