import { ConsulCatalog, DiscoveryClient, instanceColor } from 'discovery-client';
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
const CONSUL_STATUS_TIMEOUT_MS = 1000;

/** A registered ratings instance as the status page shows it. */
interface ConsulEntry {
  id: string;
  url: string;
  version?: string;
  color?: string;
  health: string;
}

const DATAWIRE_TIMEOUT_MS = 1000;
const DEADLINE_GRACE_MS = 250;

/** Ratings through discovery-client: Consul resolver, round-robin, a Datawire breaker per instance. */
export function createDiscoveryRatings(options: DiscoveryRatingsOptions): RatingsSource {
  const { log, slowMs } = options;
  const timeoutMs = options.timeoutMs ?? DATAWIRE_TIMEOUT_MS;
  const deadlineMs = options.deadlineMs ?? Math.round(timeoutMs * 1.5 + 100);
  const discovery = new DiscoveryClient({ metrics: options.registry });
  const ratings = discovery.service(SERVICE, {
    color: 'active', // blue/green: only the color `make cutover` names (every instance while none is named)
    timeout: timeoutMs,
    deadline: deadlineMs,
    breaker: options.resetMs === undefined ? { preset: 'datawire' } : { preset: 'datawire', resetTimeout: options.resetMs },
  });
  const last = new Map<string, LastRating>();
  // the agent as the library reads it (CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN, CONSUL_HTTP_SSL, CONSUL_CACERT)
  const catalog = new ConsulCatalog({ timeoutMs: CONSUL_STATUS_TIMEOUT_MS });
  const consulUrl = catalog.consul.baseUrl;

  /** Every registered ratings instance with its worst check status, straight from Consul (passing or not). */
  async function consulHealth(): Promise<{ reachable: boolean; error?: string; entries: ConsulEntry[] }> {
    try {
      const listed = await catalog.instances(SERVICE, { passing: false });
      return {
        reachable: true,
        entries: listed.map((instance) => {
          const color = instanceColor(instance);
          return { id: instance.id, url: instance.url, version: instance.meta.version, ...(color === undefined ? {} : { color }), health: instance.health };
        }),
      };
    } catch (error) {
      return { reachable: false, error: error instanceof Error ? error.message : String(error), entries: [] };
    }
  }

  /** `callerMs`: what the page's caller still waits; the call's deadline is the smaller of it and the market's own. */
  async function ask(thing: string, callerMs: number | undefined): Promise<RatingView> {
    log.info(`ASK for ${thing}`);
    const started = performance.now();
    const waitMs = callerMs === undefined ? deadlineMs : Math.min(callerMs, deadlineMs);
    // Started inside a promise chain so that even a synchronous throw becomes a BAD line, never a 500.
    const call = Promise.resolve().then(() => ratings.get(`/ratings/${encodeURIComponent(thing)}`, { deadline: waitMs }).json<RatingBody>()).then((body) => {
      if (typeof body?.rating !== 'number' || body.rating < 1 || body.rating > 5) {
        throw new Error(`ratings answered without a usable rating for ${thing}`);
      }
      // A late answer (after the page gave up waiting) still refreshes the last known rating.
      last.set(thing, { stars: Math.round(body.rating), instance: body.instance, gotAt: Date.now() });
      return body;
    });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      // The library enforces `deadline`; this guard only keeps a page from hanging should a call never settle.
      timer = setTimeout(() => reject(new Error('request timed out')), waitMs + DEADLINE_GRACE_MS);
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
    async ratingsFor(ids, callerMs) {
      const views = await Promise.all(ids.map((id) => ask(id, callerMs)));
      return new Map(ids.map((id, index) => [id, views[index]!]));
    },
    async status() {
      const [consulView, snapshot] = [await consulHealth(), discovery.snapshot()];
      const service = snapshot.services.find((s) => s.name === SERVICE);
      const known = service?.instances ?? [];
      const byId = new Map<string, InstanceStatus>();
      for (const entry of consulView.entries) {
        byId.set(entry.id, {
          id: entry.id, address: entry.url, version: entry.version, ...(entry.color === undefined ? {} : { color: entry.color }),
          health: entry.health, breaker: 'none', calls: {},
        });
      }
      for (const instance of known) {
        const color = instanceColor(instance);
        const row = byId.get(instance.id) ?? {
          id: instance.id, address: instance.url, version: instance.meta.version, ...(color === undefined ? {} : { color }),
          health: consulView.reachable ? 'gone' : 'unknown', breaker: 'none', calls: {},
        };
        row.logNumber = instance.number;
        row.breaker = instance.breaker;
        row.calls = { calls: instance.calls, failures: instance.failures, rejected: instance.rejections };
        byId.set(instance.id, row);
      }
      const report: StatusReport = {
        service: SERVICE,
        mode: 'ratings',
        consul: { url: consulUrl, reachable: consulView.reachable, ...(consulView.error ? { error: consulView.error } : {}) },
        instances: [...byId.values()].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true })),
        ...(service?.activeColor ? { activeColor: service.activeColor } : {}),
        lastRatings: Object.fromEntries([...last].map(([thing, r]) => [thing, { stars: r.stars, instance: r.instance, gotAt: new Date(r.gotAt).toISOString() }])),
        updatedAt: new Date().toISOString(),
      };
      return report;
    },
    async close() {
      catalog.close();
      await discovery.close();
    },
  };
}
