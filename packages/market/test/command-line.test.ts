// The market's command line (cli-kit): a mistake is a message naming it, the usage line and exit 2, before
// anything listens.
import { afterEach, describe, expect, it } from '@jest/globals';
import { killAll, MARKET_MAIN, startNode } from './helpers/process.js';

const USAGE_LINE = 'Usage: node packages/market/dist/main.js [--monolith]   (--help for more)';

describe('node dist/main.js [--monolith]', () => {
  afterEach(killAll);

  it('rejects an unknown flag and an argument with the usage line, exit 2', async () => {
    const unknown = startNode('unknown-flag', MARKET_MAIN, ['--no-such-flag'], { PORT: '0' });
    await expect(unknown.exited()).resolves.toEqual({ code: 2, signal: null });
    expect(unknown.output()).toMatch(/^market: Unknown option '--no-such-flag'/);
    expect(unknown.output()).toContain(`\n${USAGE_LINE}\n`);
    expect(unknown.output()).not.toContain('listening on port');

    const extra = startNode('extra-argument', MARKET_MAIN, ['--monolith', 'ratings'], { PORT: '0' });
    await expect(extra.exited()).resolves.toEqual({ code: 2, signal: null });
    expect(extra.output()).toBe(`market: unexpected argument "ratings"\n${USAGE_LINE}\n`);
  });

  it('rejects a bad variable with its name and value, exit 2', async () => {
    const badPort = startNode('bad-port', MARKET_MAIN, ['--monolith'], { PORT: 'eighty' });
    await expect(badPort.exited()).resolves.toEqual({ code: 2, signal: null });
    expect(badPort.output()).toBe('market: PORT must be a whole number from 0 to 65535, got "eighty"\n');
  });
});
