const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration as Consul writes it (`'10s'`, `'1m30s'`, `'500ms'`) or a number of milliseconds, in ms.
 * Throws a TypeError naming `option` on anything else.
 */
export function parseDuration(option: string, value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) throw new TypeError(`Expected \`${option}\` to be a positive duration, got ${value}`);
    return value;
  }
  if (typeof value !== 'string') {
    throw new TypeError(`Expected \`${option}\` to be a duration like '10s' or a number of ms, got ${JSON.stringify(value)}`);
  }
  const text = value.trim();
  const pattern = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) {
    total += Number(match[1]) * UNITS[match[2]!]!;
    matched = pattern.lastIndex;
  }
  if (text === '' || matched !== text.length || total <= 0) {
    throw new TypeError(`Expected \`${option}\` to be a duration like '10s' or a number of ms, got ${JSON.stringify(value)}`);
  }
  return total;
}

/** Milliseconds as a Go duration string Consul accepts. */
export function formatDuration(ms: number): string {
  return Number.isInteger(ms / 1000) ? `${ms / 1000}s` : `${Math.round(ms)}ms`;
}
