import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createHumanLogger, createJsonLogger, DiscoveryClient } from '../../src/index.js';
import { useClientFixture } from '../helpers/client-fixture.js';
import { Upstream } from '../helpers/upstream.js';

const t = useClientFixture();

function sink(lines: string[]) {
  return { write: (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)) };
}

describe('human log lines', () => {
  it('prints the walkthrough lines with stable instance numbers', async () => {
    t.upstreams = await Promise.all([new Upstream('a').start(), new Upstream('b').start()]);
    const [a, b] = t.upstreams;
    const out: string[] = [];
    const err: string[] = [];
    t.client = new DiscoveryClient({
      logger: createHumanLogger({ out: sink(out), err: sink(err) }),
      static: { ratings: [{ id: 'ratings-1', url: a!.url }, { id: 'ratings-2', url: b!.url }] },
    });
    const ratings = t.client.service('ratings', {
      breaker: { preset: 'datawire', resetTimeout: 1200 },
      timeout: 400,
      retry: false,
      // always the first admissible instance (the picks are the usable ones, in list order), to make the sequence deterministic
      balancer: () => ({
        name: 'first',
        picker: (picks) => ({ pick: (avoid) => picks.find((p) => !avoid?.has(p.endpoint.instance.key)) ?? picks[0]! }),
      }),
    });
    await ratings.get('/r');
    b!.mode = 'hang';
    a!.mode = 'hang';
    await ratings.get('/r').catch(() => undefined);
    await ratings.get('/r').catch(() => undefined);
    a!.mode = 'ok';
    b!.mode = 'ok';
    await new Promise((resolve) => setTimeout(resolve, 1600));
    await ratings.get('/r');
    expect(out).toEqual([
      'resolving ratings',
      `resolved ratings => [${a!.url}, ${b!.url}]`,
      `ratings using instance 1: ${a!.url}`,
      `ratings using instance 1: ${a!.url}`,
      `OPEN breaker on [ratings at ${a!.url}]`,
      `ratings using instance 2: ${b!.url}`,
      `OPEN breaker on [ratings at ${b!.url}]`,
      `HALF_OPEN breaker on [ratings at ${a!.url}]`,
      `HALF_OPEN breaker on [ratings at ${b!.url}]`,
      `ratings using instance 1: ${a!.url}`,
      `CLOSE breaker on [ratings at ${a!.url}]`,
    ]);
    expect(err).toContain(`ratings instance 1 timed out after 400ms: ${a!.url}`);
  });
});

describe('per-call line (logPicks)', () => {
  async function linesWith(options: { logPicks?: 'info' | 'debug' | false; debug?: boolean; env?: string }): Promise<string[]> {
    if (t.upstreams.length === 0) t.upstreams = [await new Upstream('a').start()];
    const out: string[] = [];
    const saved = process.env.DISCOVERY_LOG_PICKS;
    if (options.env === undefined) delete process.env.DISCOVERY_LOG_PICKS;
    else process.env.DISCOVERY_LOG_PICKS = options.env;
    try {
      t.client = new DiscoveryClient({
        logger: createHumanLogger({ out: sink(out), err: sink(out), debug: options.debug ?? false }),
        ...(options.logPicks === undefined ? {} : { logPicks: options.logPicks }),
        static: { ratings: [{ id: 'ratings-1', url: t.upstreams[0]!.url }] },
      });
    } finally {
      if (saved === undefined) delete process.env.DISCOVERY_LOG_PICKS;
      else process.env.DISCOVERY_LOG_PICKS = saved;
    }
    const ratings = t.client.service('ratings');
    await ratings.get('/r');
    await ratings.get('/r');
    await t.client.close();
    return out;
  }

  it('is info by default, debug or off on request, and never hides the resolve lines', async () => {
    const url = () => t.upstreams[0]!.url;
    const resolved = () => ['resolving ratings', `resolved ratings => [${url()}]`];
    const pick = () => `ratings using instance 1: ${url()}`;
    expect(await linesWith({})).toEqual([...resolved(), pick(), pick()]);
    expect(await linesWith({ logPicks: 'debug' })).toEqual(resolved());
    expect(await linesWith({ logPicks: 'debug', debug: true })).toEqual([...resolved(), pick(), pick()]);
    expect(await linesWith({ logPicks: false, debug: true })).toEqual(resolved());
    // the environment wins over the option, both ways
    expect(await linesWith({ logPicks: 'info', env: 'off' })).toEqual(resolved());
    expect(await linesWith({ logPicks: false, env: 'info' })).toEqual([...resolved(), pick(), pick()]);
    await expect(linesWith({ env: 'loud' })).rejects.toThrow('Expected DISCOVERY_LOG_PICKS to be info, debug or off, got "loud"');
  });
});

describe('json logger', () => {
  it('writes pino JSON lines with the same message and fields', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createJsonLogger({ destination: destination as never });
    logger.info('OPEN breaker on [ratings at http://127.0.0.1:8002]', { service: 'ratings', instance: 2 });
    await new Promise((resolve) => setImmediate(resolve));
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect([logger.enabled?.('debug'), logger.enabled?.('info')]).toEqual([false, true]);
    expect(createHumanLogger({ debug: false }).enabled?.('debug')).toBe(false);
    expect(line).toMatchObject({ level: 30, msg: 'OPEN breaker on [ratings at http://127.0.0.1:8002]', service: 'ratings', instance: 2, name: 'discovery-client' });
  });
});
