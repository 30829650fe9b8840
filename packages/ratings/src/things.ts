/** A rating: how much people like a Thing, from 1 (not at all) to 5 (very much). */
export type Stars = 1 | 2 | 3 | 4 | 5;

/**
 * The Things ratings knows about and their ratings. Fixed, so every instance answers the same
 * for the same Thing: which instance answered is visible in the response, not in the rating.
 */
export const RATINGS: Readonly<Record<string, Stars>> = Object.freeze({
  camera: 4,
  bicycle: 5,
  guitar: 3,
  telescope: 4,
  kettle: 2,
  umbrella: 3,
});

/** The rating of `thing`, or `undefined` when ratings does not know it. */
export function ratingOf(thing: string): Stars | undefined {
  return Object.hasOwn(RATINGS, thing) ? RATINGS[thing] : undefined;
}
