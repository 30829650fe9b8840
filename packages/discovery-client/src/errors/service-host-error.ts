import { DiscoveryError } from './discovery-error.js';

/**
 * A fetch through the library's dispatcher named a Consul service host it cannot call: a name under
 * `.service.<domain>` that is not `[<tag>.]<service>.service[.<datacenter>].<domain>` (Consul's DNS names,
 * https://developer.hashicorp.com/consul/docs/services/discovery/dns-static-lookups), a datacenter other than the
 * client's (`consul.dc`), or an upgrade (WebSocket) request. The caller's mistake: fetch rejects with a
 * `TypeError` whose `cause` is this error, and nothing is sent.
 */
export class ServiceHostError extends DiscoveryError {
  readonly code = 'ERR_SERVICE_HOST';
  readonly retryable = false;

  constructor(
    /** The host the fetch named, e.g. `a.b.c.service.consul`. */
    readonly host: string,
    reason: string,
  ) {
    super(`cannot call ${host} through discovery: ${reason}`);
  }
}

export function isServiceHostError(error: unknown): error is ServiceHostError {
  return error instanceof ServiceHostError;
}
