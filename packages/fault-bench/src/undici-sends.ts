/**
 * The attempts undici actually sent, from its diagnostics channels: `undici:request:create` is published while
 * the caller dispatches a request (in the caller's async context, so its request id is known there), and
 * `undici:client:sendHeaders` when undici writes that request to a socket. An attempt still queued in a pool
 * (every connection busy, as with a paused instance) is picked but not sent: the library's `instancePicked`
 * event counts it, the instance never sees it, and these channels leave it out.
 */
import diagnostics from 'node:diagnostics_channel';

interface UndiciRequest {
  readonly origin?: unknown;
  readonly path?: unknown;
}

/**
 * Calls `sent(rid, origin)` once for every request for `path` undici writes to a socket that was dispatched
 * while `requestId()` named a request. Others are ignored: health probes above all, which the library's prober
 * may dispatch from a timer that inherited a request's async context (and so its id). Returns the unsubscribe.
 */
export function onUndiciSends(requestId: () => number | undefined, path: string, sent: (rid: number, origin: string) => void): () => void {
  const dispatched = new WeakMap<UndiciRequest, number>();
  const onCreate = (message: unknown): void => {
    const rid = requestId();
    const { request } = message as { request: UndiciRequest };
    if (rid !== undefined && request.path === path) dispatched.set(request, rid);
  };
  const onSend = (message: unknown): void => {
    const { request } = message as { request: UndiciRequest };
    const rid = dispatched.get(request);
    if (rid === undefined) return;
    dispatched.delete(request); // written once more on a retry of undici's own: still one attempt
    sent(rid, String(request.origin));
  };
  diagnostics.subscribe('undici:request:create', onCreate);
  diagnostics.subscribe('undici:client:sendHeaders', onSend);
  return () => {
    diagnostics.unsubscribe('undici:request:create', onCreate);
    diagnostics.unsubscribe('undici:client:sendHeaders', onSend);
  };
}
