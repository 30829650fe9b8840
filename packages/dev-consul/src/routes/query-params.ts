/** Query parameters shared by the health and catalog reads: `tag`, `node-meta`, `passing`. */
import { badRequest } from '../http-error.js';
import { parseGoBool } from '../server.js';
import type { NodeRecord, ServiceRecord } from '../state/types.js';

/** `?tag=` (repeatable, ANDed, case-insensitive). */
export function tagMatcher(query: URLSearchParams): (service: ServiceRecord) => boolean {
  const tags = query.getAll('tag').map((t) => t.toLowerCase());
  if (tags.length === 0) return () => true;
  return (service) => {
    const own = service.tags.map((t) => t.toLowerCase());
    return tags.every((t) => own.includes(t));
  };
}

/** `?node-meta=key:value` (repeatable, ANDed). */
export function nodeMetaMatcher(query: URLSearchParams): (node: NodeRecord) => boolean {
  const pairs = query.getAll('node-meta').map((p) => {
    const i = p.indexOf(':');
    return i < 0 ? [p, ''] : [p.slice(0, i), p.slice(i + 1)];
  });
  if (pairs.length === 0) return () => true;
  return (node) => pairs.every(([k, v]) => node.meta[k as string] === v);
}

/** `?passing`: present empty or a Go true value. @throws HttpError 400 `Invalid value for ?passing`. */
export function passingOnly(query: URLSearchParams): boolean {
  const raw = query.get('passing');
  if (raw === null) return false;
  if (raw === '') return true;
  const value = parseGoBool(raw);
  if (value === undefined) throw badRequest('Invalid value for ?passing');
  return value;
}
