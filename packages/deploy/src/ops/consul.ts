import { ConsulCatalog, instanceColor, type ConsulOptions } from 'discovery-client';

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

/**
 * The Consul the deploy commands read and write, through discovery-client's `ConsulCatalog`: `options` as the
 * library's, missing fields from CONSUL_HTTP_ADDR / CONSUL_HTTP_TOKEN / CONSUL_CACERT. Failures reject with the
 * library's `RegistryUnavailableError`.
 */
export class ConsulApi {
  readonly catalog: ConsulCatalog;

  constructor(options: ConsulOptions = {}) {
    this.catalog = new ConsulCatalog({ consul: options });
  }

  /** Every registered instance of `service` (passing or not), by number. */
  async instances(service: string): Promise<RegisteredInstance[]> {
    const listed = await this.catalog.instances(service, { passing: false });
    return listed.map((instance) => {
      const { meta } = instance;
      return {
        id: instance.id,
        number: Number(/-(\d+)$/.exec(instance.id)?.[1] ?? 0),
        version: meta.version,
        color: instanceColor(instance),
        pid: meta.pid && /^\d+$/.test(meta.pid) ? Number(meta.pid) : undefined,
        url: instance.url,
        passing: instance.health === 'passing',
      };
    }).sort((a, b) => a.number - b.number);
  }

  /** Removes an instance from Consul (for one whose process this host cannot signal). */
  deregister(id: string): Promise<void> {
    return this.catalog.deregister(id);
  }

  /** The active color of `service` (`discovery/<service>/active`), or undefined when none is set. */
  activeColor(service: string): Promise<string | undefined> {
    return this.catalog.activeColor(service);
  }

  /** Removes the active color of `service`: every instance serves. */
  clearActiveColor(service: string): Promise<void> {
    return this.catalog.clearActiveColor(service);
  }

  /** Sets the active color of `service`. */
  setActiveColor(service: string, color: string): Promise<void> {
    return this.catalog.setActiveColor(service, color);
  }

  /** Closes the kept-alive connection to Consul. */
  close(): void {
    this.catalog.close();
  }
}
