import type { Dispatcher } from 'undici';
import type { CallCancel } from '../call-cancel.js';

/**
 * The controller the discovery interceptor hands to undici's handler for a request it answers itself (undici's
 * `DispatchController`): `abort()` (fetch's `AbortSignal`, or the body's consumer giving up) cancels the library's
 * call through its {@link CallCancel} hook; `pause()`/`resume()` hold the end of the body until the consumer reads on.
 * Plain fields, no `AbortController`: one per request, and the call's listener on its signal, cost about as much as
 * the rest of the interceptor's work.
 */
export class ServiceDispatchController implements Dispatcher.DispatchController, CallCancel {
  private aborted_ = false;
  private reason_: Error | null = null;
  private paused_ = false;
  private waiting: (() => void) | undefined = undefined;
  oncancel: ((reason: unknown) => void) | undefined = undefined;

  get aborted(): boolean {
    return this.aborted_;
  }

  get paused(): boolean {
    return this.paused_;
  }

  /** What the first `abort()` got; null until then. */
  get reason(): Error | null {
    return this.reason_;
  }

  /** The first call counts; without a reason, an `AbortError` (as `AbortController.abort()`). */
  abort(reason?: Error): void {
    if (!this.aborted_) {
      this.aborted_ = true;
      const error = reason ?? new DOMException('This operation was aborted', 'AbortError');
      this.reason_ = error;
      const oncancel = this.oncancel;
      this.oncancel = undefined;
      oncancel?.(error);
    }
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
