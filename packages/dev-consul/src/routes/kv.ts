/** `/v1/kv/`: get (single, `recurse`, `keys`, `raw`), put (`cas`, `flags`), delete (`recurse`, `cas`). */
import { requirePermission } from '../acl.js';
import { badRequest, internalError } from '../http-error.js';
import type { ApiServer, RequestContext } from '../server.js';
import { json } from '../server.js';
import type { KvEntry, KvStore } from '../state/kv-store.js';

/** Consul's `kv_max_value_size` default: 512 KiB. */
export const MAX_KV_VALUE_BYTES = 512 * 1024;

function renderEntry(e: KvEntry): Record<string, unknown> {
  return {
    LockIndex: e.lockIndex,
    Key: e.key,
    Flags: e.flags,
    Value: e.value === null ? null : e.value.toString('base64'),
    CreateIndex: e.createIndex,
    ModifyIndex: e.modifyIndex,
  };
}

/** `strconv.ParseUint` on a query parameter; Consul passes its error through as a plain 500. */
function parseUint(ctx: RequestContext, name: string): number | undefined {
  if (!ctx.has(name)) return undefined;
  const raw = ctx.query.get(name) ?? '';
  if (!/^\d+$/.test(raw) || BigInt(raw) > 18446744073709551615n) {
    throw internalError(`strconv.ParseUint: parsing ${JSON.stringify(raw)}: invalid syntax`);
  }
  return Number(raw);
}

/** Go's `url.Values.Encode()`: keys sorted, values escaped. */
function encodeSorted(query: URLSearchParams): string {
  const copy = new URLSearchParams(query);
  copy.sort();
  return copy.toString();
}

/** Consul's `conflictingFlags`: a 400 `Conflicting flags: ...` (with a newline) when two are present. */
function rejectConflicting(ctx: RequestContext, ...flags: string[]): void {
  if (flags.filter((f) => ctx.has(f)).length > 1) throw badRequest(`Conflicting flags: ${encodeSorted(ctx.query)}\n`);
}

/** Registers the `/v1/kv/` routes. */
export function registerKvRoutes(server: ApiServer, kv: KvStore): void {
  server.on('GET', '/v1/kv/', async (ctx) => {
    const key = ctx.rest;
    const keysOnly = ctx.has('keys');
    const recurse = ctx.has('recurse');
    const raw = ctx.has('raw');
    if (keysOnly) {
      const separator = ctx.query.get('separator') ?? '';
      const reply = await ctx.blocking(
        () => kv.indexForPrefix(key),
        () => {
          const visible = ctx.authz.allowAll ? kv.list(key) : [];
          const keys: string[] = [];
          for (const e of visible) {
            let k = e.key;
            if (separator !== '') {
              const i = k.indexOf(separator, key.length);
              if (i >= 0) k = k.slice(0, i + separator.length);
            }
            if (keys[keys.length - 1] !== k) keys.push(k);
          }
          // No 404 for the root: an empty list.
          return keys.length === 0 && key !== '' ? { body: null, status: 404 } : { body: keys };
        },
      );
      return reply.kind === 'json' && reply.status === 404 ? { kind: 'empty', status: 404, headers: reply.headers ?? {} } : reply;
    }
    if (!recurse && key === '') throw badRequest('Missing key name');
    if (!recurse && !ctx.authz.allowAll) requirePermission(ctx.authz, 'key', 'read', key);
    const reply = await ctx.blocking(
      () => (recurse ? kv.indexForPrefix(key) : kv.indexForKey(key)),
      () => {
        const found = recurse ? (ctx.authz.allowAll ? kv.list(key) : []) : [kv.get(key)].filter((e): e is KvEntry => e !== undefined);
        if (found.length === 0) return { body: null, status: 404 };
        return { body: found.map(renderEntry) };
      },
    );
    if (reply.kind !== 'json') return reply;
    if (reply.status === 404) return { kind: 'empty', status: 404, headers: reply.headers ?? {} };
    if (raw && !recurse) {
      const entry = kv.get(key);
      // Like Consul: no sniffing, sandboxed, whatever the value holds.
      return {
        kind: 'raw',
        body: entry?.value ?? Buffer.alloc(0),
        contentType: 'text/plain',
        headers: { ...(reply.headers ?? {}), 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': 'sandbox' },
      };
    }
    return reply;
  });

  server.on('PUT', '/v1/kv/', async (ctx) => {
    const key = ctx.rest;
    if (key === '') throw badRequest('Missing key name');
    rejectConflicting(ctx, 'cas', 'acquire', 'release');
    if (ctx.has('acquire') || ctx.has('release')) throw badRequest('Sessions are not supported by dev-consul (acquire/release)');
    const flags = parseUint(ctx, 'flags') ?? 0;
    const cas = parseUint(ctx, 'cas');
    requirePermission(ctx.authz, 'key', 'write', key);
    const body = await ctx.bodyBytes(
      MAX_KV_VALUE_BYTES,
      (size) =>
        `Request body(${size} bytes) too large, max size: ${MAX_KV_VALUE_BYTES} bytes. See https://developer.hashicorp.com/docs/agent/config/config-files#kv_max_value_size.`,
    );
    return json(kv.put(key, body, flags, cas));
  });

  server.on('DELETE', '/v1/kv/', (ctx) => {
    const key = ctx.rest;
    const recurse = ctx.has('recurse');
    rejectConflicting(ctx, 'recurse', 'cas');
    if (key === '' && !recurse) throw badRequest('Missing key name');
    const cas = parseUint(ctx, 'cas');
    requirePermission(ctx.authz, 'key', 'write', key);
    return json(kv.delete(key, recurse, cas));
  });
}

