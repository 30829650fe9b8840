/**
 * What cancels a call made for the fetch interceptor (fetch/discovery-interceptor.ts): its dispatch controller,
 * which undici aborts when fetch's signal fires or the body's consumer gives up. A public call takes an
 * `AbortSignal` instead; creating one per request and adding and removing the call's listener on it cost about
 * as much as the rest of the interceptor's own work, so this internal path registers a plain hook. Not exported
 * from the package.
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
