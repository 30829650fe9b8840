// The whole walkthrough with real processes and real signals, on short timings:
// 300 ms timeout, 2 s breaker retest, 2 s TTL.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDevConsul } from 'dev-consul';
import { waitFor } from 'process-supervisor';
import type { StatusReport } from '../src/ratings-source.js';
import type { Running } from './helpers/process.js';
import { killAll, MARKET_MAIN, RATINGS_MAIN, startListening } from './helpers/process.js';
import { loadPage, usedUrls } from './helpers/page.js';

const TIMEOUT_MS = 300;
const RESET_MS = 2000;

describe('the walkthrough, scripted', () => {
  let consul: Awaited<ReturnType<typeof startDevConsul>>;
  let market: Running;
  let base: string;
  const ratings = new Map<number, { running: Running; url: string }>();
  let ratingsEnv: Record<string, string>;

  /** Instance N keeps the port it first got, as it keeps 8000+N in the walkthrough. */
  const ports = new Map<number, number>();

  async function startRatings(n: number): Promise<string> {
    const env = ports.has(n) ? { ...ratingsEnv, PORT: String(ports.get(n)) } : ratingsEnv;
    const { running, port } = await startListening(`ratings-${n}`, RATINGS_MAIN, ['--instance', String(n)], env);
    ports.set(n, port);
    await running.waitFor(/registered ratings-/);
    const url = `http://127.0.0.1:${port}`;
    ratings.set(n, { running, url });
    return url;
  }

  /** Loads pages until `done(logSinceMark)` holds; returns the last page. Fails on any non-200 page. */
  async function pagesUntil(done: (log: string) => boolean, timeoutMs: number, what: string, from = market.mark()) {
    return waitFor(async () => {
      const page = await loadPage(base);
      expect(page.status).toBe(200);
      return done(market.since(from)) ? page : undefined;
    }, { timeoutMs, what });
  }

  beforeAll(async () => {
    consul = await startDevConsul({ port: 0 });
    const consulAddr = `127.0.0.1:${consul.port}`;
    ratingsEnv = { CONSUL_HTTP_ADDR: consulAddr, RATINGS_TTL: '2s', RATINGS_HEARTBEAT: '400ms' };
    const started = await startListening('market', MARKET_MAIN, [], {
      CONSUL_HTTP_ADDR: consulAddr, RATINGS_TIMEOUT_MS: String(TIMEOUT_MS), RATINGS_RESET_MS: String(RESET_MS),
      RATINGS_SLOW_MS: '200',
    });
    market = started.running;
    base = `http://127.0.0.1:${started.port}`;
  });

  afterAll(async () => {
    await killAll();
    await consul?.close();
  });

  it('shows "no rating yet" before any ratings instance runs', async () => {
    const mark = market.mark();
    const page = await loadPage(base);
    expect(page.status).toBe(200);
    expect(page.things.map((t) => t.kind)).toEqual(['none', 'none', 'none', 'none']);
    await market.waitFor(/BAD camera: all ratings instances are down/, 5000, mark);
  });

  it('start 3: every Thing gets its rating, the calls spread over the instances', async () => {
    for (const n of [1, 2, 3]) await startRatings(n);
    const mark = market.mark();
    await waitFor(async () => {
      const page = await loadPage(base);
      return page.things.every((t) => t.kind === 'fresh') ? page : undefined;
    }, { timeoutMs: 10_000, what: 'four fresh ratings' });
    const page = await loadPage(base);
    expect(page.things.map((t) => [t.thing, t.stars])).toEqual([['camera', 4], ['bicycle', 5], ['guitar', 3], ['telescope', 4]]);
    const log = market.since(mark);
    for (const thing of ['camera', 'bicycle', 'guitar', 'telescope']) {
      expect(log).toContain(`ASK for ${thing}`);
      expect(log).toMatch(new RegExp(`GOT ${thing}: [1-5]`));
    }
    expect(new Set(usedUrls(log)).size).toBeGreaterThanOrEqual(2);
  });

  it('kill all: the page still answers 200 with the last ratings, and the log says all are down', async () => {
    for (const { running } of ratings.values()) running.child.kill('SIGINT');
    for (const { running } of ratings.values()) await expect(running.exited()).resolves.toEqual({ code: 0, signal: null });
    ratings.clear();
    const page = await pagesUntil((log) => /BAD \w+: all ratings instances are down/.test(log), 10_000, 'the all-down line');
    expect(page.things.map((t) => t.kind)).toEqual(['stale', 'stale', 'stale', 'stale']);
    expect(page.things.map((t) => t.stars)).toEqual([4, 5, 3, 4]);
    expect(page.html).toContain('may be stale');
    expect(page.ms).toBeLessThan(TIMEOUT_MS * 1.5 + 100 + 1000);
  });

  it('start 1: every call goes to it', async () => {
    const one = await startRatings(1);
    await waitFor(async () => (await loadPage(base)).things.every((t) => t.kind === 'fresh'), { timeoutMs: 10_000, what: 'fresh ratings' });
    const mark = market.mark();
    await loadPage(base);
    await loadPage(base);
    const used = usedUrls(market.since(mark));
    expect(used.length).toBeGreaterThanOrEqual(8);
    expect(new Set(used)).toEqual(new Set([one]));
  });

  it('start 2: the calls interleave between 1 and 2', async () => {
    const two = await startRatings(2);
    const one = ratings.get(1)!.url;
    await pagesUntil((log) => usedUrls(log).includes(two), 10_000, 'a call to instance 2');
    const mark = market.mark();
    await loadPage(base);
    await loadPage(base);
    const used = usedUrls(market.since(mark));
    expect(used.filter((u) => u === one).length).toBeGreaterThanOrEqual(3);
    expect(used.filter((u) => u === two).length).toBeGreaterThanOrEqual(3);
  });

  it('pause 2 (SIGSTOP): its breaker opens, the page is still complete', async () => {
    const two = ratings.get(2)!;
    two.running.child.kill('SIGSTOP');
    const mark = market.mark();
    const page = await pagesUntil((log) => log.includes(`OPEN breaker on [ratings at ${two.url}]`), 10_000, 'the breaker opening');
    expect(page.things.map((t) => t.kind)).toEqual(['fresh', 'fresh', 'fresh', 'fresh']);
    expect(market.since(mark)).toMatch(/WAITED \d+ms/);
    // the page waited for one timeout and a retry on instance 1, not much more (generous margin for a busy machine)
    expect(page.ms).toBeLessThan(TIMEOUT_MS * 1.5 + 100 + 1500);
    // with the breaker open, calls skip instance 2 without waiting
    const after = market.mark();
    const quick = await loadPage(base);
    expect(quick.things.every((t) => t.kind === 'fresh')).toBe(true);
    expect(usedUrls(market.since(after))).not.toContain(two.url);
    // its heartbeat stopped: once the 2 s TTL passes, Consul stops listing it
    const one = ratings.get(1)!.url;
    await market.waitFor(new RegExp(`resolved ratings => \\[${one.replace(/\./g, '\\.')}\\]`), 10_000, after);
    // and /status tells the same story
    const status = await (await fetch(`${base}/status.json`)).json() as StatusReport;
    expect(status.instances.find((i) => i.id === 'ratings-2')).toMatchObject({
      address: two.url, health: 'critical', breaker: expect.stringMatching(/^(OPEN|HALF_OPEN)$/),
    });
    expect(status.instances.find((i) => i.id === 'ratings-1')).toMatchObject({ address: one, health: 'passing', breaker: 'CLOSED' });
    // each row says which number the log gives it: ratings-N is `ratings using instance N: <url>`
    for (const [id, url, n] of [['ratings-1', one, 1], ['ratings-2', two.url, 2]] as const) {
      const inLog = market.output().match(new RegExp(`ratings using instance (\\d+): ${url.replace(/\./g, '\\.')}\\b`))?.[1];
      expect(Number(inLog)).toBe(n);
      expect(status.instances.find((i) => i.id === id)?.logNumber).toBe(n);
    }
  });

  it('resume 2 (SIGCONT): the breaker closes after the retest and the calls interleave again', async () => {
    const two = ratings.get(2)!;
    const mark = market.mark();
    two.running.child.kill('SIGCONT');
    await pagesUntil((log) => log.includes(`CLOSE breaker on [ratings at ${two.url}]`), 20_000, 'the breaker closing', mark);
    const after = market.mark();
    await pagesUntil((log) => new Set(usedUrls(log)).size === 2, 10_000, 'calls to both instances', after);
  });
});
