import type { Dispatcher } from 'undici';

/**
 * The controller the discovery interceptor hands to undici's handler for a request it answers itself (undici's
 * `DispatchController`): `abort()` (fetch's `AbortSignal`, or the body's consumer giving up) fires {@link signal},
 * which cancels the library's call; `pause()`/`resume()` hold the end of the body until the consumer reads on.
 */
export class ServiceDispatchController implements Dispatcher.DispatchController {
  private readonly cancel = new AbortController();
  private paused_ = false;
  private waiting: (() => void) | undefined = undefined;

  get aborted(): boolean {
    return this.cancel.signal.aborted;
  }

  get paused(): boolean {
    return this.paused_;
  }

  get reason(): Error | null {
    return this.aborted ? (this.cancel.signal.reason as Error) : null;
  }

  /** Aborted with the reason `abort()` got: the call's `signal`. */
  get signal(): AbortSignal {
    return this.cancel.signal;
  }

  abort(reason: Error): void {
    this.cancel.abort(reason);
    this.resume();
  }

  pause(): void {
    this.paused_ = true;
  }

  resume(): void {
    this.paused_ = false;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }

  /** Resolves once the consumer is not pausing the response (at once when it is not). */
  async flowing(): Promise<void> {
    if (!this.paused_) return;
    await new Promise<void>((resolve) => (this.waiting = resolve));
  }
}
