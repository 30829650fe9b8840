import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { createHumanLogger, createJsonLogger, DiscoveryClient, type DiscoveryEvents, type LogFields } from '../../src/index.js';
import { TypedEmitter } from '../../src/events.js';
import { logEvents, SHED_LOG_EVERY_MS } from '../../src/logging/log-events.js';
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

describe('shed calls', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  /** logEvents on an emitter the test drives, fake timers, and the lines it writes (level, message, fields). */
  function shedLog() {
    jest.useFakeTimers();
    const lines: Array<[string, string, LogFields | undefined]> = [];
    const line = (level: string) => (message: string, fields?: LogFields) => lines.push([level, message, fields]);
    const events = new TypedEmitter<DiscoveryEvents>();
    const detach = logEvents(events, { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') });
    const shed = (service: string, reason: 'queue-full' | 'queue-timeout', queued = 1000) =>
      events.emit('callShed', { service, reason, queued, limit: 40 });
    return { lines, shed, detach, messages: () => lines.map(([, message]) => message) };
  }

  it('logs the first shed call at once, then at most one line a second per service counting the rest', () => {
    const { lines, shed, messages } = shedLog();
    shed('ratings', 'queue-full');
    for (let i = 0; i < 199; i++) shed('ratings', 'queue-full');
    for (let i = 0; i < 100; i++) shed('ratings', 'queue-timeout', 3);
    shed('reviews', 'queue-timeout', 0);
    expect(messages()).toEqual([
      'ratings overloaded: shed a call (queue-full): every instance at its concurrency limit (40 in flight), 1000 waiting',
      'reviews overloaded: shed a call (queue-timeout): every instance at its concurrency limit (40 in flight), 0 waiting',
    ]);
    jest.advanceTimersByTime(SHED_LOG_EVERY_MS - 1);
    expect(lines).toHaveLength(2);
    jest.advanceTimersByTime(1);
    expect(lines.slice(2)).toEqual([
      [
        'warn',
        'ratings overloaded: 299 more calls shed in the last 1s (queue-full 199, queue-timeout 100)',
        { service: 'ratings', shed: 299, reasons: { 'queue-full': 199, 'queue-timeout': 100 }, queued: 3, limit: 40 },
      ],
    ]);
    shed('ratings', 'queue-timeout');
    jest.advanceTimersByTime(SHED_LOG_EVERY_MS);
    expect(messages().slice(3)).toEqual(['ratings overloaded: 1 more call shed in the last 1s (queue-timeout 1)']);
  });

  it('after a quiet second the next shed call is logged at once again', () => {
    const { shed, messages } = shedLog();
    shed('ratings', 'queue-full');
    jest.advanceTimersByTime(SHED_LOG_EVERY_MS);
    expect(messages()).toHaveLength(1);
    shed('ratings', 'queue-full');
    expect(messages()).toHaveLength(2);
    expect(messages()[1]).toMatch(/^ratings overloaded: shed a call \(queue-full\)/);
    jest.advanceTimersByTime(10 * SHED_LOG_EVERY_MS);
    expect(messages()).toHaveLength(2);
  });

  it('detaching clears the pending count and its timer', () => {
    const { shed, detach, messages } = shedLog();
    shed('ratings', 'queue-full');
    shed('ratings', 'queue-full');
    detach();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(SHED_LOG_EVERY_MS);
    expect(messages()).toHaveLength(1);
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
