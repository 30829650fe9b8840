import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { pino } from 'pino';
import { waitFor } from 'process-supervisor';
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
    await waitFor(() => out.filter((line) => line.startsWith('HALF_OPEN breaker')).length === 2, { timeoutMs: 5000, what: 'both breakers half-open after their reset timeout' });
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
    const line = (level: string) => (fields: LogFields, message: string) => lines.push([level, message, fields]);
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
    logger.info({ service: 'ratings', instance: 2 }, 'OPEN breaker on [ratings at http://127.0.0.1:8002]');
    await new Promise((resolve) => setImmediate(resolve));
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect([logger.isLevelEnabled?.('debug'), logger.isLevelEnabled?.('info')]).toEqual([false, true]);
    expect(createHumanLogger({ debug: false }).isLevelEnabled?.('debug')).toBe(false);
    expect(line).toMatchObject({ level: 30, msg: 'OPEN breaker on [ratings at http://127.0.0.1:8002]', service: 'ratings', instance: 2, name: 'discovery-client' });
  });
});

describe('a pino logger passed as it is', () => {
  it('keeps every field of the library\'s lines (pino takes the fields first, then the message)', async () => {
    t.upstreams = [await new Upstream('a').start()];
    const [a] = t.upstreams;
    a!.mode = '500';
    const lines: Array<Record<string, unknown>> = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    t.client = new DiscoveryClient({
      logger: pino({ level: 'info' }, destination),
      static: { ratings: [{ id: 'ratings-1', url: a!.url }] },
    });
    await t.client.service('ratings', { retry: false, breaker: { preset: 'datawire' } }).get('/r').catch(() => undefined);
    await waitFor(() => lines.some((l) => String(l.msg).includes('failed')), { timeoutMs: 5000, what: 'the failure line' });
    expect(lines.find((l) => String(l.msg).startsWith('ratings using instance 1'))).toMatchObject({
      level: 30,
      service: 'ratings',
      instance: 1,
      instanceId: 'ratings-1',
      url: a!.url,
      attempt: 1,
    });
    expect(lines.find((l) => String(l.msg).includes('failed'))).toMatchObject({
      level: 40,
      msg: `ratings instance 1 failed: ratings at ${a!.url} answered 500`,
      service: 'ratings',
      instanceId: 'ratings-1',
      reason: 'status',
    });
  });
});

describe('a stall rescue', () => {
  it('is logged as a stall at debug, not as a failed request that timed out', async () => {
    t.upstreams = await Promise.all([new Upstream('a').start(), new Upstream('b').start()]);
    const [a, b] = t.upstreams;
    a!.mode = 'hold';
    const out: string[] = [];
    t.client = new DiscoveryClient({
      logger: createHumanLogger({ out: sink(out), err: sink(out), debug: true }),
      static: { ratings: [{ id: 'ratings-1', url: a!.url }, { id: 'ratings-2', url: b!.url }] },
    });
    const ratings = t.client.service('ratings', {
      timeout: 30_000,
      // the first instance with nothing in flight: the first call goes to a (held), the second to b (answers)
      balancer: () => ({
        name: 'first-idle',
        picker: (picks) => ({
          pick: (avoid) => {
            const open = picks.filter((p) => !avoid?.has(p.endpoint.instance.key));
            return open.find((p) => p.endpoint.outstanding === 0) ?? open[0] ?? picks[0]!;
          },
        }),
      }),
    });
    const first = ratings.get('/r').json<{ from: string }>();
    await waitFor(() => a!.holding === 1, { timeoutMs: 5000, what: 'the first call held by a' });
    expect((await ratings.get('/r').json<{ from: string }>()).from).toBe('b');
    // a's attempt is older than the stall floor while b answered a later one: a is ejected, the attempt re-sent to b
    expect((await first).from).toBe('b');
    a!.release();
    expect(out).toContainEqual(expect.stringMatching(new RegExp(`^ratings instance 1 stalled: no answer after \\d+ms while other instances answered; aborted to send it elsewhere: ${a!.url}$`)));
    expect(out.filter((line) => line.includes('failed') || line.includes('timed out'))).toEqual([]);
    expect(out).toContainEqual(expect.stringMatching(new RegExp(`^retrying ratings \\(attempt 2\\) in 0ms after: request to ratings at ${a!.url} stalled: no answer after \\d+ms while other instances answered$`)));
  });
});
