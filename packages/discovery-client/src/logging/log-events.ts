import { classifyStatus } from '../attempt/attempt.js';
import type { DiscoveryEvents, InstanceEventInfo, TypedEmitter } from '../events.js';
import { describeUnmatchedActiveColor } from '../errors/no-healthy-instances-error.js';
import type { Logger } from './logger.js';

function at(instance: InstanceEventInfo): string {
  return `[${instance.service} at ${instance.url}]`;
}

function fields(instance: InstanceEventInfo): Record<string, unknown> {
  return { service: instance.service, instance: instance.number, instanceId: instance.id, url: instance.url };
}

/** While Consul stays unreachable, repeat the warning this often (the watch retries more often than that). */
export const REGISTRY_ERROR_LOG_EVERY_MS = 30_000;

/** Options of {@link logEvents}. */
export interface LogEventsOptions {
  /** Level of the per-call `using instance` line; `false` drops it (no listener at all). @default 'info' */
  picks?: 'info' | 'debug' | false;
}

/** Turns events into the walkthrough's log lines. Returns a function that detaches it. */
export function logEvents(events: TypedEmitter<DiscoveryEvents>, logger: Logger, options: LogEventsOptions = {}): () => void {
  // a level the logger drops gets no listener, so calls do not even build the event
  const picks = options.picks !== false && logger.enabled?.(options.picks ?? 'info') !== false ? (options.picks ?? 'info') : false;
  const lastRegistryLog = new Map<string, number>();
  /** Services with a list that is being served (resolved, not expired). */
  const listed = new Set<string>();
  const handlers: { [K in keyof DiscoveryEvents]?: (event: DiscoveryEvents[K]) => void } = {
    resolving: (e) => logger.info(`resolving ${e.service}`, { service: e.service }),
    resolved: (e) => {
      listed.add(e.service);
      logger.info(`resolved ${e.service} => [${e.instances.map((i) => i.url).join(', ')}]`, {
        service: e.service,
        instances: e.instances.map((i) => ({ number: i.number, id: i.id, url: i.url })),
      });
    },
    activeColorUnmatched: (e) =>
      logger.warn(`${describeUnmatchedActiveColor(e)}: no instance to call; set the key to a color that runs, or delete it`, {
        service: e.service,
        key: e.key,
        activeColor: e.color,
        instances: e.instances,
        colors: e.colors,
        uncolored: e.uncolored,
      }),
    registryError: (e) => {
      const now = Date.now();
      const statusCode = (e.error as { statusCode?: number }).statusCode;
      const what = `${statusCode === undefined ? 'consul unreachable' : 'consul failing'} for ${e.service}: ${e.error.message}`;
      const logFields = { service: e.service, err: e.error.message, staleForMs: e.staleForMs, servingInstances: e.servingInstances, expired: e.expired };
      if (e.expired && listed.has(e.service)) {
        // the moment the last good list passes maxStaleness: always logged, at error
        listed.delete(e.service);
        lastRegistryLog.set(e.service, now);
        logger.error(
          `${what}; dropped the last known list of ${e.service} (stale for ${Math.round(e.staleForMs / 1000)}s, ` +
            `beyond watch.maxStalenessMs): calls fail with RegistryUnavailableError until consul answers`,
          logFields,
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
      logger[refused ? 'error' : 'warn'](`${what}; ${serving}`, logFields);
    },
    registryRecovered: (e) => {
      lastRegistryLog.delete(e.service);
      logger.info(`consul reachable again for ${e.service} after ${Math.round(e.downForMs / 1000)}s`, {
        service: e.service,
        downForMs: e.downForMs,
      });
    },
    instancePicked:
      picks === false
        ? undefined
        : (e) =>
            logger[picks](`${e.service} using instance ${e.instance.number}: ${e.instance.url}`, {
              ...fields(e.instance),
              attempt: e.attempt,
            }),
    breakerOpen: (e) => logger.info(`OPEN breaker on ${at(e.instance)}`, fields(e.instance)),
    breakerHalfOpen: (e) => logger.info(`HALF_OPEN breaker on ${at(e.instance)}`, { ...fields(e.instance), early: e.early }),
    breakerClose: (e) => logger.info(`CLOSE breaker on ${at(e.instance)}`, fields(e.instance)),
    callTimedOut: (e) =>
      logger.warn(`${e.service} instance ${e.instance.number} timed out after ${e.timeoutMs}ms: ${e.instance.url}`, {
        ...fields(e.instance),
        timeoutMs: e.timeoutMs,
      }),
    callFailed: (e) =>
      logger.warn(`${e.service} instance ${e.instance.number} failed: ${e.error.message}`, {
        ...fields(e.instance),
        err: e.error.message,
      }),
    callRetried: (e) =>
      logger.debug(`retrying ${e.service} (attempt ${e.attempt}) in ${e.delayMs}ms after: ${e.error.message}`, {
        ...fields(e.instance),
        attempt: e.attempt,
        delayMs: e.delayMs,
      }),
    retryBudgetExhausted: (e) =>
      logger.warn(`retry budget for ${e.service} spent; not retrying: ${e.error.message}`, fields(e.instance)),
    fallback: (e) => logger.warn(`${e.service} fallback after: ${e.error.message}`, { service: e.service, err: e.error.message }),
  };
  const entries = Object.entries(handlers).filter(([, handler]) => handler !== undefined) as Array<
    [keyof DiscoveryEvents, (event: never) => void]
  >;
  for (const [name, handler] of entries) events.on(name, handler as never);
  return () => {
    for (const [name, handler] of entries) events.off(name, handler as never);
  };
}
