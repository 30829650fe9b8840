import { DiscoveryError } from './discovery-error.js';

/**
 * A file named by a Consul environment variable cannot be read (`CONSUL_CACERT`, `CONSUL_HTTP_TOKEN_FILE`, as
 * the `consul` CLI reads them). Message: `cannot read CONSUL_CACERT=/etc/consul/ca.pem: ENOENT: no such file
 * or directory`. Thrown when the options are resolved (`new DiscoveryClient()`, `register()`). Not `retryable`.
 */
export class RegistryConfigError extends DiscoveryError {
  readonly code = 'ERR_REGISTRY_CONFIG';
  readonly retryable = false;
  /** The environment variable, e.g. `CONSUL_CACERT`. */
  readonly variable: string;
  /** The path it names. */
  readonly path: string;

  constructor(variable: string, path: string, cause: unknown) {
    super(`cannot read ${variable}=${path}: ${(cause as Error).message}`, { cause });
    this.variable = variable;
    this.path = path;
  }
}

export function isRegistryConfigError(error: unknown): error is RegistryConfigError {
  return error instanceof RegistryConfigError;
}
