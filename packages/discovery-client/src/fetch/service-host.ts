import { ServiceHostError } from '../errors/service-host-error.js';

/** The Consul service a host names. */
export interface ServiceHost {
  service: string;
  /** `<tag>.<service>.service.consul`: only instances with this tag. */
  tag: string | undefined;
  /** `<service>.service.<datacenter>.consul`. */
  datacenter: string | undefined;
}

/** Consul's default DNS domain (the agent's `domain` setting). */
export const DEFAULT_CONSUL_DOMAIN = 'consul';

/**
 * The service a host names by Consul's DNS convention (`[<tag>.]<service>.service[.<datacenter>].<domain>`,
 * https://developer.hashicorp.com/consul/docs/services/discovery/dns-static-lookups), or `undefined` for any
 * other host (it is not ours: the request passes through). The RFC 2782 form (`_service._tag.service.consul`)
 * and prepared queries (`.query.consul`) are not supported.
 * @throws ServiceHostError for a name under `.service[.<dc>].<domain>` of another shape.
 */
export function parseServiceHost(hostname: string, domain: string): ServiceHost | undefined {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  const suffix = `.${domain}`;
  if (!host.endsWith(suffix)) return undefined;
  const labels = host.slice(0, -suffix.length).split('.');
  let datacenter: string | undefined;
  if (labels.at(-1) !== 'service') {
    if (labels.at(-2) !== 'service') return undefined;
    datacenter = labels.pop();
  }
  labels.pop(); // 'service'
  if (labels.length === 0 || labels.length > 2 || labels.some((label) => label === '' || label.startsWith('_'))) {
    throw new ServiceHostError(hostname, `expected [<tag>.]<service>.service[.<datacenter>].${domain}`);
  }
  const service = labels.pop()!;
  return { service, tag: labels.pop(), datacenter };
}
