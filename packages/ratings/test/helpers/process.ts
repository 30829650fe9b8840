// The process helpers live in the repository's test-support/, shared with the market's tests.
export { killAll, LAUNCHER, RATINGS_MAIN, startListening, startNode } from '../../../../test-support/process.js';
export type { Running } from '../../../../test-support/process.js';
