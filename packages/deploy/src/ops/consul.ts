import { activeColorKey, instanceColor, resolveConsulOptions, type ConsulOptions, type ResolvedConsulOptions } from 'discovery-client';

/** One registered instance of a service as the deploy commands see it. */
export interface RegisteredInstance {
  id: string;
  /** The number at the end of its ID (`ratings-4` → 4). */
  number: number;
  version: string | undefined;
  color: string | undefined;
  /** Its process id on this host (meta `pid`), when it registered one. */
  pid: number | undefined;
  url: string;
  passing: boolean;
}

interface HealthEntry {
  Service: { ID: string; Address?: string; Port: number; Tags?: string[] | null; Meta?: Record<string, string> | null };
  Node?: { Address?: string };
  Checks?: Array<{ Status: string }>;
}

/** A Consul agent over fetch: `options` as discovery-client's, missing fields from CONSUL_HTTP_ADDR / CONSUL_HTTP_TOKEN. */
export class ConsulApi {
  readonly agent: ResolvedConsulOptions;

  constructor(options: ConsulOptions = {}) {
    this.agent = resolveConsulOptions(options);
  }

  private async call(method: string, path: string, body?: string): Promise<Response> {
    const headers: Record<string, string> = this.agent.token ? { 'X-Consul-Token': this.agent.token } : {};
    try {
      return await fetch(`${this.agent.baseUrl}${path}`, { method, headers, body, signal: AbortSignal.timeout(5000) });
    } catch (error) {
      throw new Error(`consul at ${this.agent.baseUrl} unreachable: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Every registered instance of `service` (passing or not), by number. */
  async instances(service: string): Promise<RegisteredInstance[]> {
    const res = await this.call('GET', `/v1/health/service/${encodeURIComponent(service)}`);
    if (!res.ok) throw new Error(`consul answered ${res.status} to the instances of ${service}: ${await res.text()}`);
    const entries = await res.json() as HealthEntry[];
    return entries.map((entry) => {
      const meta = entry.Service.Meta ?? {};
      const tags = entry.Service.Tags ?? [];
      const address = entry.Service.Address || entry.Node?.Address || '127.0.0.1';
      return {
        id: entry.Service.ID,
        number: Number(/-(\d+)$/.exec(entry.Service.ID)?.[1] ?? 0),
        version: meta.version,
        color: instanceColor({ meta, tags }),
        pid: meta.pid && /^\d+$/.test(meta.pid) ? Number(meta.pid) : undefined,
        url: `http://${address}:${entry.Service.Port}`,
        passing: (entry.Checks ?? []).every((check) => check.Status === 'passing'),
      };
    }).sort((a, b) => a.number - b.number);
  }

  /** Removes an instance from Consul (for one whose process this host cannot signal). */
  async deregister(id: string): Promise<void> {
    const res = await this.call('PUT', `/v1/agent/service/deregister/${encodeURIComponent(id)}`);
    if (!res.ok && res.status !== 404) throw new Error(`consul answered ${res.status} deregistering ${id}`);
  }

  /** The active color of `service` (`discovery/<service>/active`), or undefined when none is set. */
  async activeColor(service: string): Promise<string | undefined> {
    const res = await this.call('GET', `/v1/kv/${activeColorKey(service)}?raw`);
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`consul answered ${res.status} reading ${activeColorKey(service)}`);
    return (await res.text()).trim() || undefined;
  }

  /** Removes the active color of `service`: every instance serves. */
  async clearActiveColor(service: string): Promise<void> {
    const res = await this.call('DELETE', `/v1/kv/${activeColorKey(service)}`);
    if (!res.ok) throw new Error(`consul answered ${res.status} deleting ${activeColorKey(service)}`);
  }

  /** Sets the active color of `service`. */
  async setActiveColor(service: string, color: string): Promise<void> {
    const res = await this.call('PUT', `/v1/kv/${activeColorKey(service)}`, color);
    if (!res.ok) throw new Error(`consul answered ${res.status} writing ${activeColorKey(service)}: ${await res.text()}`);
  }
}
