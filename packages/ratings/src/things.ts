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

/** How many people rated each Thing (reported from version 2.0 on). */
const VOTES: Readonly<Record<string, number>> = Object.freeze({
  camera: 3, bicycle: 7, guitar: 2, telescope: 5, kettle: 4, umbrella: 1,
});

/** The number of votes behind `thing`'s rating (0 for an unknown Thing). */
export function votesOf(thing: string): number {
  return VOTES[thing] ?? 0;
}
