/**
 * Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, so a proxy never relays them. `Connection`
 * may name more; those are hop-by-hop too.
 */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'transfer-encoding',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
  'trailer',
]);

type HeaderValue = string | string[] | number | undefined;

/** The end-to-end headers of a message: every header but the hop-by-hop ones and those its `Connection` names. */
export function endToEndHeaders(headers: Record<string, HeaderValue>): Record<string, string | string[]> {
  const connection = [headers.connection].flat().filter((value) => value !== undefined);
  const named = new Set(connection.flatMap((value) => String(value).split(',').map((name) => name.trim().toLowerCase())));
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP_HEADERS.has(lower) || named.has(lower)) continue;
    kept[lower] = typeof value === 'number' ? String(value) : value;
  }
  return kept;
}
