import { RegistryUnavailableError } from './registry-unavailable-error.js';

/**
 * Why the registry's ACLs stood in the way: `forbidden`, Consul answered 403 (`ACL not found`: a token it does
 * not know; `Permission denied: ...`: one without the right); `filtered`, a read came back with instances hidden
 * (Consul's `X-Consul-Results-Filtered-By-ACLs: true`, or no token sent while its `X-Consul-Default-Acl-Policy`
 * is `deny` and the catalog shows nothing).
 */
export type RegistryAccessDeniedReason = 'forbidden' | 'filtered';

/**
 * The registry refused the ACL token, or hid the service from it (Consul's api-structure docs: reads do not
 * 403 on missing rights, they drop entries). A {@link RegistryUnavailableError} (`statusCode` 403 when Consul
 * answered so) with its own `code`. Not `retryable`: the same token gets the same answer; `register()` rejects
 * with it at once.
 */
export class RegistryAccessDeniedError extends RegistryUnavailableError {
  override readonly code = 'ERR_REGISTRY_ACCESS_DENIED';
  readonly reason: RegistryAccessDeniedReason;

  constructor(message: string, reason: RegistryAccessDeniedReason, options?: { cause?: unknown; statusCode?: number }) {
    super(message, options);
    this.reason = reason;
  }
}

export function isRegistryAccessDeniedError(error: unknown): error is RegistryAccessDeniedError {
  return error instanceof RegistryAccessDeniedError;
}
