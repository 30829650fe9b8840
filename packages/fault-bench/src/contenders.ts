import type { ProxyKind } from './proxies/proxy.js';
import type { ScenarioName } from './scenarios.js';

/**
 * The contenders. Every one gets the same budget (config.ts): 1 s per attempt, at most one retry on
 * another instance.
 */
export type ContenderName =
  | 'library'
  | 'library-got'
  | 'library-least-loaded'
  | 'library-hedged'
  | 'library-datawire'
  | 'library-fetch'
  | 'direct'
  | 'nginx'
  | 'nginx-fetch'
  | 'haproxy'
  | 'haproxy-tuned'
  | 'caddy'
  | 'by-hand';

export interface Contender {
  readonly name: ContenderName;
  /** One line for the docs. */
  readonly description: string;
  /** A proxy process the harness starts in front of the instances. */
  readonly proxy?: ProxyKind;
  /** HAProxy with its overload settings (`maxconn` per server, `timeout queue`: proxies/haproxy.ts). */
  readonly queue?: true;
  /** Runs only in the steady state (`direct` calls one instance: a fault on another says nothing). */
  readonly steadyOnly?: boolean;
  /** Runs only in these scenarios (`library-hedged`: the steady state, for its cost, and the `tail` it is for). */
  readonly onlyIn?: readonly ScenarioName[];
}

export const CONTENDERS: Readonly<Record<ContenderName, Contender>> = {
  library: {
    name: 'library',
    description: 'discovery-client in-process with its defaults, `timeout: 1000`, `retry: { limit: 1 }`',
  },
  'library-got': { name: 'library-got', description: 'the same with `transport: \'got\'`' },
  'library-least-loaded': {
    name: 'library-least-loaded',
    description: 'the same with `balancer: \'least-loaded\'` (power of two choices; undici, the default transport)',
  },
  'library-hedged': {
    name: 'library-hedged',
    description:
      'the same with `hedging: {}` (a hedge on another instance once an attempt is slower than the p97 of recent answers, at most 5 % extra, ' +
      'drawn from the retry budget; issue 17\'s `tail` scenario measures it)',
    onlyIn: ['steady', 'tail'],
  },
  'library-datawire': { name: 'library-datawire', description: 'the same with `breaker: { preset: \'datawire\' }`' },
  'library-fetch': {
    name: 'library-fetch',
    description:
      'the same options, each call Node\'s `fetch(\'http://<service>.service.consul/…\', { dispatcher: discovery.dispatcher() })` ' +
      '(a non-2xx `Response` counted as `library` counts its `UpstreamHttpError`)',
  },
  direct: {
    name: 'direct',
    description: 'undici `Pool.request()` to one instance, 1 s timeout (the floor; steady state only)',
    steadyOnly: true,
  },
  nginx: {
    name: 'nginx',
    description: 'nginx (Debian), one worker, passive checks `max_fails=1 fail_timeout=2s`, `proxy_next_upstream_tries 2`',
    proxy: 'nginx',
  },
  'nginx-fetch': {
    name: 'nginx-fetch',
    description:
      'the same nginx, each call Node\'s global `fetch()` (no dispatcher) instead of an undici `Pool`: `nginx-fetch` against `nginx` is ' +
      'what fetch itself costs a caller, `library-fetch` against `library` that cost plus the dispatcher\'s',
    proxy: 'nginx',
  },
  haproxy: {
    name: 'haproxy',
    description: 'HAProxy (Debian), `nbthread 1`, `httpchk GET /health` every 1 s, `observe layer7`, `retries 2`, `redispatch`',
    proxy: 'haproxy',
  },
  'haproxy-tuned': {
    name: 'haproxy-tuned',
    description:
      'the same HAProxy with its overload settings: `maxconn` per server = the instance\'s concurrency (10 in the overload scenarios: ' +
      'more would only queue inside the instance, out of HAProxy\'s sight), 32 where instances have no limit, and `timeout queue 500ms` ' +
      '(half the 1 s deadline of a good answer)',
    proxy: 'haproxy',
    queue: true,
  },
  caddy: {
    name: 'caddy',
    description:
      'Caddy 2 (Debian), `GOMAXPROCS=1`, round-robin, passive checks `max_fails 1 fail_duration 2s` (5xx or slower than 500 ms), ' +
      '`health_uri /health` every 1 s, `lb_retries 1` within `lb_try_duration 2s`, `lb_try_interval 10ms` (no retry after an answer, a 503 included)',
    proxy: 'caddy',
  },
  'by-hand': {
    name: 'by-hand',
    description: 'round-robin over the list + one opossum 9 breaker per instance (defaults, `timeout: 1000`), one retry on the next instance; undici',
  },
};

export const CONTENDER_NAMES = Object.keys(CONTENDERS) as ContenderName[];
