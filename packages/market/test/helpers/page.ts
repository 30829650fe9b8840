/** One Thing as the shop page shows it. */
export interface ThingOnPage {
  thing: string;
  /** `fresh`, `stale`, `none`, or `absent` (monolith: no rating shown at all). */
  kind: string;
  stars?: number;
  price?: string;
}

/** Loads the shop page and reads each Thing's rating from its markup. */
export async function loadPage(base: string): Promise<{ status: number; ms: number; html: string; things: ThingOnPage[] }> {
  const started = performance.now();
  const res = await fetch(`${base}/`);
  const html = await res.text();
  const ms = performance.now() - started;
  const things = html.split('<article class="thing"').slice(1).map((card) => ({
    thing: card.match(/data-thing="([^"]+)"/)?.[1] ?? '?',
    kind: card.match(/data-kind="([^"]+)"/)?.[1] ?? 'absent',
    stars: Number(card.match(/data-stars="(\d)"/)?.[1]) || undefined,
    price: card.match(/data-testid="price">([^<]+)</)?.[1],
  }));
  return { status: res.status, ms, html, things };
}

/** The instance URLs the market's log says it used (`ratings using instance 2: http://...`). */
export function usedUrls(log: string): string[] {
  return [...log.matchAll(/ratings using instance \d+: (\S+)/g)].map((m) => m[1]!);
}
