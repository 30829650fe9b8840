/**
 * What cancels a call, as the call sees it: a public call's `AbortSignal` ({@link SignalCancel}), or, for the fetch
 * interceptor (fetch/discovery-interceptor.ts), its dispatch controller, which undici aborts when fetch's signal
 * fires or the body's consumer gives up (an `AbortController` per request, and the call's listener on its signal,
 * cost about as much as the rest of the interceptor's own work, so it registers a plain hook). Not exported from
 * the package.
 */
export interface CallCancel {
  readonly aborted: boolean;
  /** What it was aborted with: the call rejects with it. */
  readonly reason: unknown;
  /** Set by the call while it runs (undefined before and after): called once when it is aborted. */
  oncancel: ((reason: unknown) => void) | undefined;
}

/**
 * The key of `ServiceClient`'s internal entry for the interceptor, `client[CANCELLABLE_REQUEST](options, cancel)`:
 * `request()` with a {@link CallCancel} in place of `options.signal`. A symbol the package does not export keeps it
 * off the public API.
 */
export const CANCELLABLE_REQUEST: unique symbol = Symbol('discovery-client.cancellableRequest');

/** A public call's `signal` as a {@link CallCancel}: setting `oncancel` adds its abort listener, clearing it removes it. */
export class SignalCancel implements CallCancel {
  private hook: ((reason: unknown) => void) | undefined = undefined;
  private readonly onAbort = (): void => this.hook?.(this.signal.reason);

  constructor(private readonly signal: AbortSignal) {}

  get aborted(): boolean {
    return this.signal.aborted;
  }

  get reason(): unknown {
    return this.signal.reason;
  }

  get oncancel(): ((reason: unknown) => void) | undefined {
    return this.hook;
  }

  set oncancel(hook: ((reason: unknown) => void) | undefined) {
    if (hook !== undefined && this.hook === undefined) this.signal.addEventListener('abort', this.onAbort, { once: true });
    else if (hook === undefined && this.hook !== undefined) this.signal.removeEventListener('abort', this.onAbort);
    this.hook = hook;
  }
}
