// The process helpers live in the repository's test-support/, shared with the ratings tests.
export { killAll, MARKET_MAIN, RATINGS_MAIN, startListening, startNode } from '../../../../test-support/process.js';
export type { Running } from '../../../../test-support/process.js';
