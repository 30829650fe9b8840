import { classifyStatus } from '../attempt/attempt.js';
import type { DiscoveryEvents, InstanceEventInfo, TypedEmitter } from '../events.js';
import { describeUnmatchedActiveColor } from '../errors/no-healthy-instances-error.js';
import type { ShedReason } from '../errors/overloaded-error.js';
import type { Logger } from './logger.js';

function at(instance: InstanceEventInfo): string {
  return `[${instance.service} at ${instance.url}]`;
}

function fields(instance: InstanceEventInfo): Record<string, unknown> {
  return { service: instance.service, instance: instance.number, instanceId: instance.id, url: instance.url };
}

/** While Consul stays unreachable, repeat the warning this often (the watch retries more often than that). */
export const REGISTRY_ERROR_LOG_EVERY_MS = 30_000;

/**
 * While a service's calls are being shed (`callShed`), at most one line for it this often: the first shed at
 * once, then one line a period counting the calls shed in it (an overload sheds hundreds of calls a second).
 */
export const SHED_LOG_EVERY_MS = 1000;

/** Calls of one service shed since its last shed line; `timer` ends the period. */
interface ShedTally {
  total: number;
  byReason: Record<ShedReason, number>;
  queued: number;
  limit: number;
  timer: NodeJS.Timeout;
}

/** Options of {@link logEvents}. */
export interface LogEventsOptions {
  /** Level of the per-call `using instance` line; `false` drops it (no listener at all). @default 'info' */
  picks?: 'info' | 'debug' | false;
}

/**
 * Turns events into the walkthrough's log lines. Returns a function that detaches it (and drops the count of
 * calls shed since the last shed line: the metrics and the snapshot keep them).
 */
export function logEvents(events: TypedEmitter<DiscoveryEvents>, logger: Logger, options: LogEventsOptions = {}): () => void {
  // a level the logger drops gets no listener, so calls do not even build the event
  const picks = options.picks !== false && logger.isLevelEnabled?.(options.picks ?? 'info') !== false ? (options.picks ?? 'info') : false;
  const lastRegistryLog = new Map<string, number>();
  /** Services with a list that is being served (resolved, not expired). */
  const listed = new Set<string>();
  const shedding = new Map<string, ShedTally>();
  /** The end of a shed period: a line for the calls shed in it, and another period; none shed: done. */
  const endShedPeriod = (service: string) => {
    const tally = shedding.get(service)!;
    if (tally.total === 0) {
      shedding.delete(service);
      return;
    }
    const reasons = (Object.entries(tally.byReason) as Array<[ShedReason, number]>).filter(([, n]) => n > 0);
    logger.warn(
      { service, shed: tally.total, reasons: Object.fromEntries(reasons), queued: tally.queued, limit: tally.limit },
      `${service} overloaded: ${tally.total} more call${tally.total === 1 ? '' : 's'} shed in the last ` +
        `${SHED_LOG_EVERY_MS / 1000}s (${reasons.map(([reason, n]) => `${reason} ${n}`).join(', ')})`,
    );
    tally.total = 0;
    tally.byReason = { 'queue-full': 0, 'queue-timeout': 0 };
    tally.timer.refresh();
  };
  const handlers: { [K in keyof DiscoveryEvents]?: (event: DiscoveryEvents[K]) => void } = {
    resolving: (e) => logger.info({ service: e.service }, `resolving ${e.service}`),
    resolved: (e) => {
      listed.add(e.service);
      logger.info(
        {
          service: e.service,
          instances: e.instances.map((i) => ({ number: i.number, id: i.id, url: i.url })),
        },
        `resolved ${e.service} => [${e.instances.map((i) => i.url).join(', ')}]`,
      );
    },
    activeColorUnmatched: (e) =>
      logger.warn(
        {
          service: e.service,
          key: e.key,
          activeColor: e.color,
          instances: e.instances,
          colors: e.colors,
          uncolored: e.uncolored,
        },
        `${describeUnmatchedActiveColor(e)}: no instance to call; set the key to a color that runs, or delete it`,
      ),
    registryError: (e) => {
      const now = Date.now();
      const statusCode = (e.error as { statusCode?: number }).statusCode;
      const what = `${statusCode === undefined ? 'consul unreachable' : 'consul failing'} for ${e.service}: ${e.error.message}`;
      const logFields = {
        service: e.service,
        err: e.error.message,
        staleForMs: e.staleForMs,
        servingInstances: e.servingInstances,
        expired: e.expired,
      };
      if (e.expired && listed.has(e.service)) {
        // the moment the last good list passes maxStaleness: always logged, at error
        listed.delete(e.service);
        lastRegistryLog.set(e.service, now);
        logger.error(
          logFields,
          `${what}; dropped the last known list of ${e.service} (stale for ${Math.round(e.staleForMs / 1000)}s, ` +
            `beyond watch.maxStalenessMs): calls fail with RegistryUnavailableError until consul answers`,
        );
        return;
      }
      // first failure of an outage, then at most every REGISTRY_ERROR_LOG_EVERY_MS while it lasts
      const last = lastRegistryLog.get(e.service);
      if (last !== undefined && now - last < REGISTRY_ERROR_LOG_EVERY_MS) return;
      lastRegistryLog.set(e.service, now);
      const serving = e.expired
        ? 'no list to serve'
        : `serving the last known list (${e.servingInstances} instance${e.servingInstances === 1 ? '' : 's'}, ` +
          `stale for ${Math.round(e.staleForMs / 1000)}s)`;
      // the caller's fault (4xx: ACL token refused, bad request) will not heal by waiting: a configuration error,
      // at error level; 429 is Consul's rate limiter, which does heal
      const refused = statusCode !== undefined && classifyStatus(statusCode) === 'callerError' && statusCode !== 429;
      logger[refused ? 'error' : 'warn'](logFields, `${what}; ${serving}`);
    },
    registryRecovered: (e) => {
      lastRegistryLog.delete(e.service);
      logger.info(
        {
          service: e.service,
          downForMs: e.downForMs,
        },
        `consul reachable again for ${e.service} after ${Math.round(e.downForMs / 1000)}s`,
      );
    },
    instancePicked:
      picks === false
        ? undefined
        : (e) =>
            logger[picks](
              {
                ...fields(e.instance),
                attempt: e.attempt,
              },
              `${e.service} using instance ${e.instance.number}: ${e.instance.url}`,
            ),
    breakerOpen: (e) => logger.info(fields(e.instance), `OPEN breaker on ${at(e.instance)}`),
    breakerHalfOpen: (e) => logger.info({ ...fields(e.instance), early: e.early }, `HALF_OPEN breaker on ${at(e.instance)}`),
    breakerClose: (e) => logger.info(fields(e.instance), `CLOSE breaker on ${at(e.instance)}`),
    callTimedOut: (e) =>
      logger.warn(
        {
          ...fields(e.instance),
          timeoutMs: e.timeoutMs,
        },
        `${e.service} instance ${e.instance.number} timed out after ${e.timeoutMs}ms: ${e.instance.url}`,
      ),
    callFailed: (e) =>
      e.reason === 'stall'
        ? // not a failure of the call: the instance stalled (its ejection is the OPEN line), the attempt goes elsewhere
          logger.debug(
            { ...fields(e.instance), reason: e.reason, durationMs: Math.round(e.durationMs) },
            `${e.service} instance ${e.instance.number} stalled: no answer after ${Math.round(e.durationMs)}ms while ` +
              `other instances answered; aborted to send it elsewhere: ${e.instance.url}`,
          )
        : logger.warn(
            { ...fields(e.instance), reason: e.reason, err: e.error.message },
            `${e.service} instance ${e.instance.number} failed: ${e.error.message}`,
          ),
    callRetried: (e) =>
      logger.debug(
        {
          ...fields(e.instance),
          attempt: e.attempt,
          delayMs: e.delayMs,
        },
        `retrying ${e.service} (attempt ${e.attempt}) in ${e.delayMs}ms after: ${e.error.message}`,
      ),
    retryBudgetExhausted: (e) => logger.warn(fields(e.instance), `retry budget for ${e.service} spent; not retrying: ${e.error.message}`),
    callShed: (e) => {
      const tally = shedding.get(e.service);
      if (tally !== undefined) {
        tally.total++;
        tally.byReason[e.reason]++;
        tally.queued = e.queued;
        tally.limit = e.limit;
        return;
      }
      logger.warn(
        { service: e.service, reason: e.reason, queued: e.queued, limit: e.limit },
        `${e.service} overloaded: shed a call (${e.reason}): every instance at its concurrency limit ` +
          `(${e.limit} in flight), ${e.queued} waiting`,
      );
      const timer = setTimeout(() => endShedPeriod(e.service), SHED_LOG_EVERY_MS).unref();
      shedding.set(e.service, { total: 0, byReason: { 'queue-full': 0, 'queue-timeout': 0 }, queued: e.queued, limit: e.limit, timer });
    },
    fallback: (e) => logger.warn({ service: e.service, err: e.error.message }, `${e.service} fallback after: ${e.error.message}`),
  };
  const entries = Object.entries(handlers).filter(([, handler]) => handler !== undefined) as Array<
    [keyof DiscoveryEvents, (event: never) => void]
  >;
  for (const [name, handler] of entries) events.on(name, handler as never);
  return () => {
    for (const [name, handler] of entries) events.off(name, handler as never);
    for (const tally of shedding.values()) clearTimeout(tally.timer);
    shedding.clear();
  };
}
