import type { RequestHandler } from 'express';

/** Requests one instance serves at once before it answers 503. */
export const DEFAULT_MAX_IN_FLIGHT = 200;

/**
 * Sheds load instead of queueing without bound: beyond `maxInFlight` concurrent requests an instance
 * answers `503 { "error": "overloaded" }` with `Retry-After: 1`, which the discovery client counts
 * against this instance's breaker so callers move to another one.
 */
export function loadShedding(maxInFlight = DEFAULT_MAX_IN_FLIGHT): RequestHandler {
  let inFlight = 0;
  return (req, res, next) => {
    if (inFlight >= maxInFlight) {
      // Read and drop the body, so the client is not reset while it is still sending it.
      req.resume();
      res.status(503).set('Retry-After', '1').json({ error: 'overloaded', details: { inFlight, maxInFlight } });
      return;
    }
    inFlight += 1;
    let done = false;
    const release = (): void => {
      if (done) return;
      done = true;
      inFlight -= 1;
    };
    res.once('finish', release);
    res.once('close', release);
    next();
  };
}
