import type { ConsulOptions } from './consul/consul-options.js';
import type { Logger } from './logging/logger.js';
import type { MetricsRegistry } from './metrics.js';
import type { InstanceFilter, Resolver } from './resolver/resolver.js';
import type { StaticInstance } from './resolver/static-resolver.js';
import type { WatchOptions } from './resolver/watch-options.js';
import type { ServiceOptions } from './service-options.js';

/** Where the per-call `using instance` line goes: `'info'`, `'debug'`, or `false` (never). */
export type LogPicksLevel = 'info' | 'debug' | false;

export const DEFAULT_LOG_PICKS: LogPicksLevel = 'info';

/**
 * The effective `logPicks`: `DISCOVERY_LOG_PICKS` (`info`, `debug`, `off`) wins over the option, which wins
 * over {@link DEFAULT_LOG_PICKS}. Anything else is a clear error.
 */
export function resolveLogPicks(option: LogPicksLevel | undefined, env: string | undefined = process.env.DISCOVERY_LOG_PICKS): LogPicksLevel {
  if (env !== undefined && env !== '') {
    const value = env.trim().toLowerCase();
    if (value === 'info' || value === 'debug') return value;
    if (value === 'off' || value === 'false') return false;
    throw new TypeError(`Expected DISCOVERY_LOG_PICKS to be info, debug or off, got ${JSON.stringify(env)}`);
  }
  if (option === undefined) return DEFAULT_LOG_PICKS;
  if (option === 'info' || option === 'debug' || option === false) return option;
  throw new TypeError(`Expected \`logPicks\` to be 'info', 'debug' or false, got ${JSON.stringify(option)}`);
}

/** Options of `new DiscoveryClient(options)`. */
export interface DiscoveryClientOptions {
  /**
   * Consul agent.
   * @default from CONSUL_HTTP_ADDR / CONSUL_HTTP_TOKEN, else 127.0.0.1:8500
   */
  consul?: ConsulOptions;
  /**
   * Human lines on stdout by default, pino JSON with `LOG_FORMAT=json`; `false` for silence.
   * @default human logger (or pino when LOG_FORMAT=json)
   */
  logger?: Logger | false;
  /**
   * Level of the per-call line `<service> using instance N: <url>` (one line per attempt). `'debug'` keeps
   * it out of the default output (the human logger prints debug lines only with `LOG_LEVEL=debug`, pino
   * follows its level); `false` never logs it. Resolve, breaker, registry and failure lines are not
   * affected. A busy gateway sets `'debug'`. Overridden by the `DISCOVERY_LOG_PICKS` environment variable
   * (`info`, `debug` or `off`) so operators can change it without a code change.
   * @default 'info' (the walkthrough prints every pick)
   */
  logPicks?: LogPicksLevel;
  /**
   * A prom-client Registry to register the client's metrics in. prom-client is an optional peer
   * dependency: without it installed, giving this option throws `MissingPeerDependencyError`.
   * @default undefined (no metrics)
   */
  metrics?: MetricsRegistry;
  /** Consul watch tuning. */
  watch?: WatchOptions;
  /**
   * Fixed instance lists by service name: these services never ask Consul.
   * @default {}
   */
  static?: Record<string, StaticInstance[]>;
  /**
   * Resolver factory for services not in `static` (replaces the Consul resolver).
   * @default a ConsulResolver
   */
  resolver?: (service: string, filter: InstanceFilter) => Resolver;
  /**
   * Defaults for every `service()` call (its own options win).
   * @default {}
   */
  defaults?: ServiceOptions;
}

export const CLIENT_KEYS = ['consul', 'logger', 'logPicks', 'metrics', 'watch', 'static', 'resolver', 'defaults'] as const;
