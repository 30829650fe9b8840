/** Something the market sells. */
export interface Thing {
  /** The id ratings knows it by: `GET /ratings/<id>`. */
  id: string;
  name: string;
  blurb: string;
  /** Price in cents, so totals add up exactly. */
  priceCents: number;
  /** An inline SVG icon (no external fetches). */
  icon: string;
}

const svg = (body: string): string =>
  `<svg viewBox="0 0 64 64" width="88" height="88" aria-hidden="true" fill="none" stroke="#1f2937" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round">${body}</svg>`;

/** The four Things of the walkthrough. */
export const THINGS: readonly Thing[] = Object.freeze([
  {
    id: 'camera',
    name: 'Camera',
    blurb: 'A sturdy 35 mm camera that takes the pictures you meant to take.',
    priceCents: 24_900,
    icon: svg('<rect x="6" y="18" width="52" height="34" rx="5" fill="#dbeafe"/><path d="M22 18l4-7h12l4 7"/><circle cx="32" cy="35" r="11" fill="#93c5fd"/><circle cx="32" cy="35" r="5" fill="#1e3a8a"/><circle cx="50" cy="25" r="2" fill="#1f2937"/>'),
  },
  {
    id: 'bicycle',
    name: 'Bicycle',
    blurb: 'Steel frame, seven gears, a bell that people actually hear.',
    priceCents: 39_900,
    icon: svg('<circle cx="15" cy="42" r="11" fill="#dcfce7"/><circle cx="49" cy="42" r="11" fill="#dcfce7"/><path d="M15 42l10-18h16l8 18M25 24l9 18h-19M41 24l-7 18M22 19h7M41 24l2-7h5" stroke="#166534"/>'),
  },
  {
    id: 'guitar',
    name: 'Guitar',
    blurb: 'A warm acoustic guitar for campfires and quiet evenings.',
    priceCents: 17_900,
    icon: svg('<path d="M41 7l9 9-12 12" stroke="#78350f"/><path d="M30 26c-5-5-14-3-16 4-1 3-5 4-7 7-4 6 0 16 6 19s13 4 18-1c3-3 4-6 7-7 7-2 9-11 4-16z" fill="#fde68a" stroke="#92400e"/><circle cx="25" cy="41" r="5" fill="#78350f"/><path d="M44 12l4 4"/>'),
  },
  {
    id: 'telescope',
    name: 'Telescope',
    blurb: 'See the rings of Saturn from your balcony on a clear night.',
    priceCents: 32_900,
    icon: svg('<path d="M8 30l38-16 5 12-38 16z" fill="#ede9fe" stroke="#5b21b6"/><path d="M46 14l6-2 5 12-6 2"/><path d="M30 35l-9 22M32 35l0 22M34 35l9 22" stroke="#374151"/>'),
  },
]);

/** The Thing with this id, if the market sells it. */
export function thingById(id: string): Thing | undefined {
  return THINGS.find((thing) => thing.id === id);
}

/** `24900` → `$249.00`. */
export function formatPrice(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`;
}
