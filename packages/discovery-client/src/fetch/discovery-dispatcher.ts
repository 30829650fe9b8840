import { Dispatcher } from 'undici';

/**
 * The dispatcher `discovery.dispatcher()` returns: Consul service hosts through the library (the discovery
 * interceptor), every other host to the dispatcher beneath. `close()` and `destroy()` close nothing: the
 * `DiscoveryClient` and the dispatcher beneath belong to the caller, who closes them.
 */
export class DiscoveryDispatcher extends Dispatcher {
  private readonly composed: Dispatcher;

  constructor(beneath: Dispatcher, interceptor: Dispatcher.DispatcherComposeInterceptor) {
    super();
    this.composed = beneath.compose(interceptor);
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return this.composed.dispatch(options, handler);
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    if (callback) {
      queueMicrotask(callback);
      return;
    }
    return Promise.resolve();
  }

  override destroy(): Promise<void>;
  override destroy(error: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(error: Error | null, callback: () => void): void;
  override destroy(errorOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
    const done = typeof errorOrCallback === 'function' ? errorOrCallback : callback;
    if (done) {
      queueMicrotask(done);
      return;
    }
    return Promise.resolve();
  }
}
