/**
 * What an operator of nginx or HAProxy does during a deploy, where discovery-client's callers just follow
 * Consul: tell the proxy about a new instance before the old one goes, take the old one out before it is
 * stopped, and point the proxy at the green instances for a cut-over.
 */
import { waitFor } from 'process-supervisor';
import { parseServersState, parseSessions, type RuntimeHaproxy } from '../proxies/haproxy.js';
import type { ReloadableNginx } from '../proxies/nginx.js';

export interface ProxyRouting {
  /** Routes to the instance on `port` from now on; resolves once the proxy sends it requests. */
  add(port: number): Promise<void>;
  /** Stops routing to it; resolves once the proxy sends it nothing more (requests in flight answered). */
  remove(port: number): Promise<void>;
  /** Cut-over: routes to `ports` (the green instances) only. */
  switchTo(ports: readonly number[]): Promise<void>;
}

/** nginx: the upstream list rewritten and `nginx -s reload` at every step (old workers drain by themselves). */
export function nginxRouting(nginx: ReloadableNginx, serving: readonly number[]): ProxyRouting {
  let upstreams = [...serving];
  return {
    async add(port) {
      upstreams = [...upstreams, port];
      await nginx.setUpstreams(upstreams);
    },
    async remove(port) {
      upstreams = upstreams.filter((p) => p !== port);
      await nginx.setUpstreams(upstreams);
    },
    async switchTo(ports) {
      upstreams = [...ports];
      await nginx.setUpstreams(upstreams);
    },
  };
}

/** How HAProxy's state is waited for: asked every 10 ms, for 10 s at the most (a server coming up or draining). */
const STATE_WAIT = { intervalMs: 10, timeoutMs: 10_000 };

/**
 * HAProxy through its runtime API, with no reload: a new instance fills an empty slot of backend `blue`
 * (`set server … addr`, `state ready`, then its health checks must pass: `rise 2`); an old one is put in
 * `drain` until it has no session left, then in `maint`; the cut-over is one `set map` of the frontend's
 * backend choice.
 */
export function haproxyRouting(haproxy: RuntimeHaproxy): ProxyRouting {
  const servers = async () => parseServersState(await haproxy.command('show servers state blue'));
  const slotOf = async (port: number): Promise<string> => {
    const slot = (await servers()).find((s) => s.port === port && (s.administrative & 0x01) === 0);
    if (!slot) throw new Error(`HAProxy routes to nothing on port ${port}`);
    return slot.name;
  };
  return {
    async add(port) {
      const free = (await servers()).find((s) => (s.administrative & 0x01) !== 0);
      if (!free) throw new Error('HAProxy: no empty server slot left in backend blue');
      const answer = await haproxy.command(`set server blue/${free.name} addr 127.0.0.1 port ${port}; set server blue/${free.name} state ready`);
      if (/error|unknown|not found|no such|invalid|require/i.test(answer)) throw new Error(`HAProxy refused the new server: ${answer.trim()}`);
      await waitFor(async () => (await servers()).some((s) => s.name === free.name && s.operational === 2), { ...STATE_WAIT, what: `HAProxy: blue/${free.name} (port ${port}) up` });
    },
    async remove(port) {
      const name = await slotOf(port);
      await haproxy.command(`set server blue/${name} state drain`);
      await waitFor(async () => (parseSessions(await haproxy.command('show stat'), 'blue').get(name) ?? 0) === 0, { ...STATE_WAIT, what: `HAProxy: blue/${name} drained` });
      await haproxy.command(`set server blue/${name} state maint`);
    },
    async switchTo() {
      const answer = await haproxy.command(`set map ${haproxy.map} active green`);
      if (answer.trim() !== '') throw new Error(`HAProxy refused the cut-over: ${answer.trim()}`);
    },
  };
}
