import type { Dispatcher } from 'undici';
import { bad, checkObject } from '../options/checker.js';
import type { ServiceOptions } from '../service-options.js';
import { DEFAULT_CONSUL_DOMAIN } from './service-host.js';

/** Options of `discovery.interceptor()`. */
export interface FetchInterceptorOptions {
  /**
   * Service options per service name, as `discovery.service(name, options)` takes them (timeouts, retry,
   * hedging, breaker...): a fetch to `ratings.service.consul` calls `discovery.service('ratings', services.ratings)`.
   * A tag in the host (`v2.ratings.service.consul`) is added to that service's `tags`.
   * @default {} (every service with the client's `defaults`)
   */
  services?: Record<string, ServiceOptions>;
  /**
   * Consul's DNS domain (the agent's `domain` setting): hosts `…service.<domain>` are services.
   * @default 'consul'
   */
  domain?: string;
}

/** Options of `discovery.dispatcher()`. */
export interface FetchDispatcherOptions extends FetchInterceptorOptions {
  /**
   * The dispatcher that every other host goes to, untouched.
   * @default undici's global dispatcher when `dispatcher()` is called (`getGlobalDispatcher()`, an `Agent`)
   */
  dispatcher?: Dispatcher;
}

export interface ResolvedFetchInterceptorOptions {
  services: Readonly<Record<string, ServiceOptions>>;
  domain: string;
}

const INTERCEPTOR_KEYS = ['services', 'domain'] as const;
const DISPATCHER_KEYS = [...INTERCEPTOR_KEYS, 'dispatcher'] as const;

/** @throws TypeError naming the option. */
export function resolveFetchOptions(options: FetchDispatcherOptions | undefined, withDispatcher: boolean): ResolvedFetchInterceptorOptions {
  if (options === undefined) return { services: {}, domain: DEFAULT_CONSUL_DOMAIN };
  checkObject('options', options, withDispatcher ? DISPATCHER_KEYS : INTERCEPTOR_KEYS);
  const { services = {}, domain = DEFAULT_CONSUL_DOMAIN, dispatcher } = options;
  checkObject('services', services);
  for (const [name, serviceOptions] of Object.entries(services)) checkObject(`services.${name}`, serviceOptions);
  if (typeof domain !== 'string' || !/^[a-z0-9-]+(\.[a-z0-9-]+)*$/i.test(domain)) throw bad('domain', 'a DNS domain such as "consul"', domain);
  if (dispatcher !== undefined && typeof (dispatcher as Partial<Dispatcher> | null)?.dispatch !== 'function') {
    throw bad('dispatcher', 'an undici Dispatcher', dispatcher);
  }
  return { services: { ...services }, domain: domain.toLowerCase() };
}
