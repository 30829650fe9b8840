/**
 * ACLs, reduced to what one management token needs. With a token configured the default policy is
 * `deny`: the management token may do everything; no token means the anonymous token, which may do
 * nothing (writes get 403 `Permission denied: ...`, reads come back filtered); any other token is
 * `ACL not found` (403). Without a token configured ACLs are off and every token is ignored.
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

/** AccessorID of Consul's anonymous token. */
export const ANONYMOUS_ACCESSOR_ID = '00000000-0000-0000-0000-000000000002';
/** AccessorID reported for the management token. */
export const MANAGEMENT_ACCESSOR_ID = '3e1f1b5c-5b0e-4c2b-9f43-5bd6c7c86c01';

/** ACL resource kinds (`service:write`, `node:read`, ...). */
export type AclResource = 'service' | 'node' | 'agent' | 'key' | 'operator';

/** What a request may do. */
export interface Authorizer {
  /** True when every read and write is allowed (ACLs off, or the management token). */
  readonly allowAll: boolean;
  /** True when a token was sent (the filtered-results header is only set then). */
  readonly tokenProvided: boolean;
  readonly accessorId: string;
}

/**
 * The token of a request, in Consul's precedence: `?token=`, `X-Consul-Token`, `Authorization: Bearer`.
 */
export function requestToken(req: IncomingMessage, query: URLSearchParams): string {
  const fromQuery = query.get('token');
  if (fromQuery !== null && fromQuery !== '') return fromQuery;
  const header = req.headers['x-consul-token'];
  if (typeof header === 'string' && header !== '') return header;
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const match = /^bearer\s+(.+)$/i.exec(auth.trim());
    if (match?.[1] !== undefined) return match[1].trim();
  }
  return '';
}

export class Acl {
  constructor(private readonly managementToken: string | undefined) {}

  get enabled(): boolean {
    return this.managementToken !== undefined;
  }

  /** `X-Consul-Default-Acl-Policy`. */
  get defaultPolicy(): 'allow' | 'deny' {
    return this.enabled ? 'deny' : 'allow';
  }

  /**
   * Resolves a request's token.
   * @throws HttpError 403 `ACL not found` for a token that is not ours.
   */
  resolve(token: string): Authorizer {
    if (!this.enabled) return { allowAll: true, tokenProvided: token !== '', accessorId: '' };
    if (token === '') return { allowAll: false, tokenProvided: false, accessorId: ANONYMOUS_ACCESSOR_ID };
    if (token === this.managementToken) return { allowAll: true, tokenProvided: true, accessorId: MANAGEMENT_ACCESSOR_ID };
    throw new HttpError(403, 'ACL not found');
  }
}

/**
 * Requires a right. @throws HttpError 403
 * `Permission denied: token with AccessorID '<id>' lacks permission 'service:write' on "web"`.
 */
export function requirePermission(authz: Authorizer, resource: AclResource, access: 'read' | 'write', name: string): void {
  if (authz.allowAll) return;
  const on = name === '' ? '' : ` on ${JSON.stringify(name)}`;
  throw new HttpError(403, `Permission denied: token with AccessorID '${authz.accessorId}' lacks permission '${resource}:${access}'${on}`);
}
