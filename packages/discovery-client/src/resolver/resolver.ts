import type { ServiceInstance } from '../instance.js';

/**
 * The blue/green state behind a filtered list, as `ActiveColorResolver` hands it along with each list.
 */
export interface ActiveColorState {
  /** The Consul KV key read: `discovery/<service>/active`. */
  readonly key: string;
  /** The color in force; `null`: none, every instance passes. */
  readonly color: string | null;
  /** The wrapped resolver's list before the color filter: every color. */
  readonly listed: readonly ServiceInstance[];
}

/** What a resolver reports: a whole new list, or a failure as a value. */
export type ResolverUpdate =
  | {
      readonly type: 'instances';
      readonly instances: readonly ServiceInstance[];
      /** Set by a resolver that filters by the active color: what it filtered on and from. */
      readonly activeColor?: ActiveColorState;
      /**
       * Set by a resolver that knows why an empty list is empty (`UnknownServiceError`, `NoMatchingInstancesError`,
       * `RegistryAccessDeniedError`): calls then fail with it rather than with "all <service> instances are down".
       */
      readonly emptyBecause?: Error | undefined;
    }
  | {
      readonly type: 'error';
      readonly error: Error;
      /** ms since the last good list (or since start, if none yet). */
      readonly staleForMs: number;
      /** True once the last good list is older than `maxStaleness`: stop using it. */
      readonly expired: boolean;
    }
  /** Consul answers again after errors (the list that follows may be unchanged). */
  | { readonly type: 'recovered'; readonly downForMs: number };

export type ResolverListener = (update: ResolverUpdate) => void;

/**
 * Where instances of one service come from. It hands whole lists to its listener and never chooses an
 * instance; it never throws into the listener's caller and never stops on its own until `close()`.
 */
export interface Resolver {
  start(listener: ResolverListener): void;
  close(): void;
}

/** Instance filters a resolver applies: every tag listed must be present, every meta pair must match. */
export interface InstanceFilter {
  tags?: readonly string[] | undefined;
  meta?: Readonly<Record<string, string>> | undefined;
  /** Only instances of this color; `'active'`: the color named in Consul KV (see `ActiveColorResolver`). */
  color?: string | undefined;
}

/**
 * The color of an instance: its `color` meta, else a `color=<c>` tag (both written by services started with
 * `COLOR=blue|green`); `undefined` for an instance without one.
 */
export function instanceColor(instance: Pick<ServiceInstance, 'meta' | 'tags'>): string | undefined {
  return instance.meta.color ?? instance.tags.find((tag) => tag.startsWith('color='))?.slice('color='.length);
}

/**
 * The scheme to call an instance with: `https` when its meta `scheme` is `https` or it carries the tag
 * `scheme=https`, else `http`. The same convention as the color (meta, else a `key=value` tag); Traefik's
 * Consul catalog spells it `traefik.http.services.<name>.loadbalancer.server.scheme=https`, Fabio `proto=https`,
 * Spring Cloud Consul meta `secure=true`: register `scheme=https` beside those.
 */
export function instanceScheme(instance: { readonly meta: Readonly<Record<string, string>>; readonly tags: readonly string[] }): 'http' | 'https' {
  const scheme = instance.meta.scheme ?? instance.tags.find((tag) => tag.startsWith('scheme='))?.slice('scheme='.length);
  return scheme?.toLowerCase() === 'https' ? 'https' : 'http';
}

/**
 * Whether `value` may be an instance's color (`COLOR`, tag `color=<c>`, meta `color`, the value of
 * `discovery/<service>/active`): a lowercase letter, then up to 31 lowercase letters, digits or `-`. `active`
 * and `none` are not colors: they mean "the color in Consul KV" to `color:` and "no active color" to
 * `make cutover`.
 */
export function isColorName(value: string): boolean {
  return /^[a-z][a-z0-9-]{0,31}$/.test(value) && value !== 'active' && value !== 'none';
}

export function matchesFilter(instance: ServiceInstance, filter: InstanceFilter): boolean {
  if (filter.tags) {
    for (const tag of filter.tags) if (!instance.tags.includes(tag)) return false;
  }
  if (filter.meta) {
    for (const [key, value] of Object.entries(filter.meta)) if (instance.meta[key] !== value) return false;
  }
  if (filter.color !== undefined && filter.color !== 'active' && instanceColor(instance) !== filter.color) return false;
  return true;
}
