/**
 * The contenders. Every one gets the same budget (config.ts): 1 s per attempt, at most one retry on
 * another instance.
 */
export type ContenderName =
  | 'library'
  | 'library-got'
  | 'library-least-loaded'
  | 'library-datawire'
  | 'direct'
  | 'nginx'
  | 'haproxy'
  | 'by-hand';

export interface Contender {
  readonly name: ContenderName;
  /** One line for the docs. */
  readonly description: string;
  /** A proxy process the harness starts in front of the instances. */
  readonly proxy?: 'nginx' | 'haproxy';
  /** Runs only in the steady state (`direct` calls one instance: a fault on another says nothing). */
  readonly steadyOnly?: boolean;
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
  'library-datawire': { name: 'library-datawire', description: 'the same with `breaker: { preset: \'datawire\' }`' },
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
  haproxy: {
    name: 'haproxy',
    description: 'HAProxy (Debian), `nbthread 1`, `httpchk GET /health` every 1 s, `observe layer7`, `retries 2`, `redispatch`',
    proxy: 'haproxy',
  },
  'by-hand': {
    name: 'by-hand',
    description: 'round-robin over the list + one opossum 9 breaker per instance (defaults, `timeout: 1000`), one retry on the next instance; undici',
  },
};

export const CONTENDER_NAMES = Object.keys(CONTENDERS) as ContenderName[];
