/** What the page shows for one Thing's rating. */
export type RatingView =
  /** Just got from a ratings instance. */
  | { kind: 'fresh'; stars: number; instance?: number; version?: string }
  /** Ratings could not answer this time: the last rating it gave, possibly out of date. */
  | { kind: 'stale'; stars: number; gotAt: number; reason: string }
  /** Ratings could not answer and never has for this Thing. */
  | { kind: 'none'; reason: string };

/** One ratings instance as the status page shows it. */
export interface InstanceStatus {
  /** Consul service ID, e.g. `ratings-2`. */
  id: string;
  /**
   * The number the market's log gives it (`ratings using instance 3: …`): the order in which the market first
   * saw the instances, so not always the N of `ratings-N`. Absent until the market has seen it listed.
   */
  logNumber?: number;
  /** `http://127.0.0.1:8002`. */
  address: string;
  version?: string;
  /** Its blue/green color (`color` meta or `color=<c>` tag); absent when it has none. */
  color?: string;
  /** Its Consul health check: `passing`, `warning`, `critical`, or `gone` once deregistered. */
  health: string;
  /** `CLOSED`, `OPEN`, `HALF_OPEN`, or `none` before the first call. */
  breaker: string;
  calls: Record<string, number>;
}

/** The body of `/status.json`. */
export interface StatusReport {
  service: string;
  mode: 'monolith' | 'ratings';
  consul?: { url: string; reachable: boolean; error?: string };
  instances: InstanceStatus[];
  /**
   * Blue/green: the color the market sends ratings calls to, read from the Consul KV `key`
   * (`discovery/ratings/active`); `color: null`: none, every passing instance gets calls. Absent in monolith
   * mode and until the market has read the key.
   */
  activeColor?: { key: string; color: string | null };
  /** The last rating got for each Thing, with which instance gave it. */
  lastRatings: Record<string, { stars: number; instance?: number; gotAt: string }>;
  updatedAt: string;
}

/** Where the market gets ratings from. */
export interface RatingsSource {
  /**
   * Ratings for these Things, asked concurrently; never rejects, never waits much longer than the timeout.
   * `deadlineMs`: how long the page's own caller still waits (`remainingTime(req)`, deadline propagation); the
   * calls wait no longer than that either. @default no limit but the source's own
   */
  ratingsFor(ids: readonly string[], deadlineMs?: number): Promise<Map<string, RatingView>>;
  /** The state of every ratings instance, for `/status`. */
  status(): Promise<StatusReport>;
  /** Stops watches and timers. */
  close(): Promise<void>;
}
