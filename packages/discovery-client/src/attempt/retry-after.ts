/** The longest back-off an instance may ask for: longer `Retry-After` values are held to this, ms. */
export const MAX_RETRY_AFTER_MS = 30_000;

/**
 * An instance's `Retry-After` (RFC 9110 §10.2.3) as a delay from `now` (ms since epoch), ms: delay-seconds or
 * an HTTP-date, at most {@link MAX_RETRY_AFTER_MS}; undefined when absent or not valid (then the answer is no
 * back-pressure signal).
 */
export function retryAfterMs(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (text === undefined || text === '') return undefined;
  let ms: number;
  if (/^\d+$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    // an HTTP-date (IMF-fixdate and the obsolete forms RFC 9110 still accepts) starts with the day's name
    const at = /^[A-Za-z]/.test(text) ? Date.parse(text) : Number.NaN;
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}
