// The Consul agent the scripts talk to, read from the environment the way every process reads it
// (discovery-client's resolveConsulOptions: CONSUL_HTTP_ADDR through parseConsulAddr, CONSUL_HTTP_SSL…).
import { resolveConsulOptions } from 'discovery-client';

/** `{ host, port, baseUrl }` of the agent named by CONSUL_HTTP_ADDR (default 127.0.0.1:8500). */
export const consulAgent = resolveConsulOptions();

/** True when an agent answers `/v1/status/leader` at `base` within a second. */
export async function consulAnswers(base = consulAgent.baseUrl) {
  try {
    const res = await fetch(new URL('/v1/status/leader', base), { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}
