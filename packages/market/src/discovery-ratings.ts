import { DiscoveryClient } from 'discovery-client';
import type { Registry } from 'prom-client';
import type { Log } from './log.js';
import type { InstanceStatus, RatingsSource, RatingView, StatusReport } from './ratings-source.js';

/** Options of {@link createDiscoveryRatings}. */
export interface DiscoveryRatingsOptions {
  /** Per-attempt timeout, ms. @default the Datawire preset's 1000 */
  timeoutMs?: number;
  /** How long an open breaker waits before it retests, ms. @default the Datawire preset's 30000 */
  resetMs?: number;
  /** A call taking at least this long logs `WAITED <n>ms`. */
  slowMs: number;
  /** The page never waits longer than this for a rating. @default 1.5 × timeout + 100 */
  deadlineMs?: number;
  registry: Registry;
  log: Log;
}

/** The body ratings answers with. */
interface RatingBody {
  thing: string;
  rating: number;
  instance?: number;
  version?: string;
}

interface LastRating {
  stars: number;
  instance?: number;
  gotAt: number;
}

export const SERVICE = 'ratings';
const DATAWIRE_TIMEOUT_MS = 1000;

/** Ratings through discovery-client: Consul resolver, round-robin, a Datawire breaker per instance. */
export function createDiscoveryRatings(options: DiscoveryRatingsOptions): RatingsSource {
  const { log, slowMs } = options;
  const timeoutMs = options.timeoutMs ?? DATAWIRE_TIMEOUT_MS;
  const deadlineMs = options.deadlineMs ?? Math.round(timeoutMs * 1.5 + 100);
  const discovery = new DiscoveryClient({ metrics: options.registry });
  const ratings = discovery.service(SERVICE, {
    timeout: timeoutMs,
    breaker: options.resetMs === undefined ? { preset: 'datawire' } : { preset: 'datawire', resetTimeout: options.resetMs },
  });
  const last = new Map<string, LastRating>();

  async function ask(thing: string): Promise<RatingView> {
    log.info(`ASK for ${thing}`);
    const started = performance.now();
    const call = ratings.get(`/ratings/${encodeURIComponent(thing)}`).json<RatingBody>().then((body) => {
      if (typeof body?.rating !== 'number' || body.rating < 1 || body.rating > 5) {
        throw new Error(`ratings answered without a usable rating for ${thing}`);
      }
      // A late answer (after the page gave up waiting) still refreshes the last known rating.
      last.set(thing, { stars: Math.round(body.rating), instance: body.instance, gotAt: Date.now() });
      return body;
    });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('request timed out')), deadlineMs);
      timer.unref();
    });
    try {
      const body = await Promise.race([call, deadline]);
      waited(started);
      log.info(`GOT ${thing}: ${body.rating}`);
      return { kind: 'fresh', stars: Math.round(body.rating), instance: body.instance, version: body.version };
    } catch (error) {
      waited(started);
      const reason = error instanceof Error ? error.message : String(error);
      log.info(`BAD ${thing}: ${reason}`);
      const known = last.get(thing);
      return known ? { kind: 'stale', stars: known.stars, gotAt: known.gotAt, reason } : { kind: 'none', reason };
    } finally {
      clearTimeout(timer);
      call.catch(() => {}); // the race may have left it behind
    }
  }

  function waited(started: number): void {
    const ms = Math.round(performance.now() - started);
    if (ms >= slowMs) log.info(`WAITED ${ms}ms`);
  }

  return {
    async ratingsFor(ids) {
      const views = await Promise.all(ids.map(ask));
      return new Map(ids.map((id, index) => [id, views[index]!]));
    },
    async status() {
      const instances: InstanceStatus[] = [];
      const report: StatusReport = {
        service: SERVICE,
        mode: 'ratings',
        instances,
        lastRatings: Object.fromEntries([...last].map(([thing, r]) => [thing, { stars: r.stars, instance: r.instance, gotAt: new Date(r.gotAt).toISOString() }])),
        updatedAt: new Date().toISOString(),
      };
      return report;
    },
    async close() {
      await discovery.close();
    },
  };
}
