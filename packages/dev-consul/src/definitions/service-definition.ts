/**
 * Validating a decoded `ServiceDefinition` the way `AgentRegisterService` does, in the same order and
 * with the same 400 texts, and building the service record plus its checks.
 */
import { badRequest } from '../http-error.js';
import type { Decoded } from '../json-decode.js';
import type { ServiceAddress, ServiceRecord } from '../state/types.js';
import { isEmptyCheck, isValidStatus, validateCheckType } from './check-type.js';

const META_MAX_PAIRS = 64;
const META_KEY_MAX = 128;
const META_VALUE_MAX = 512;
const META_KEY_FORMAT = /^[a-zA-Z0-9_-]+$/;
const META_RESERVED_PREFIX = 'consul-';

/** Consul's `ValidateMetadata`; returns the reason or undefined. */
export function validateMeta(meta: Record<string, string>): string | undefined {
  const keys = Object.keys(meta);
  if (keys.length > META_MAX_PAIRS) return `Node metadata cannot contain more than ${META_MAX_PAIRS} key/value pairs`;
  for (const key of keys) {
    if (key === '') return 'Key cannot be blank';
    if (!META_KEY_FORMAT.test(key)) return `Key contains invalid characters`;
    if (key.length > META_KEY_MAX) return `Key is too long (limit: ${META_KEY_MAX} characters)`;
    if (key.startsWith(META_RESERVED_PREFIX)) return `Key prefix '${META_RESERVED_PREFIX}' is reserved for internal use`;
    if ((meta[key] ?? '').length > META_VALUE_MAX) return `Value is too long (limit: ${META_VALUE_MAX} characters)`;
  }
  return undefined;
}

function isUnspecifiedAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || /^0+(:0+){7}$/.test(address) || address === '::0';
}

function ipFamily(address: string): 4 | 6 | 0 {
  if (/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(address)) return 4;
  if (address.includes(':') && /^[0-9a-fA-F:.]+$/.test(address)) return 6;
  return 0;
}

/** A validated service registration: the record (without indexes) and its non-empty check definitions. */
export interface ServiceRegistration {
  service: Omit<ServiceRecord, 'createIndex' | 'modifyIndex'>;
  checks: Decoded[];
}

/**
 * Validates and normalises a decoded service definition.
 * @throws HttpError 400 with Consul's text (`Missing service name`, `Invalid check: ...`, ...).
 */
export function buildServiceRegistration(d: Decoded): ServiceRegistration {
  const name = typeof d.Name === 'string' ? d.Name : '';
  if (name === '') throw badRequest('Missing service name');
  const id = typeof d.ID === 'string' && d.ID !== '' ? d.ID : name;
  const address = typeof d.Address === 'string' ? d.Address : '';
  if (isUnspecifiedAddress(address)) throw badRequest('Invalid service address');
  const port = typeof d.Port === 'number' ? d.Port : 0;
  let weights = { Passing: 1, Warning: 1 };
  if (d.Weights !== undefined) {
    const w = d.Weights as { Passing?: number; Warning?: number };
    weights = { Passing: w.Passing ?? 0, Warning: w.Warning ?? 0 };
    if (weights.Passing < 1) throw badRequest('Invalid Weights: Passing must be greater than 0');
    if (weights.Warning < 0) throw badRequest('Invalid Weights: Warning must be greater or equal than 0');
    if (weights.Passing > 65536 || weights.Warning > 65536) throw badRequest('Invalid Weights: value must be <= 65536');
  }
  const meta = d.Meta === undefined ? null : (d.Meta as Record<string, string>);
  if (meta !== null) {
    const reason = validateMeta(meta);
    if (reason !== undefined) throw badRequest(`Invalid Service Meta: ${reason}`);
  }
  if (port < 0 || port > 65535) throw badRequest(`Validation failed: invalid port ${port}`);
  const checks: Decoded[] = [];
  if (d.Check !== undefined && !isEmptyCheck(d.Check as Decoded)) checks.push(d.Check as Decoded);
  for (const c of (d.Checks as Decoded[] | undefined) ?? []) if (!isEmptyCheck(c)) checks.push(c);
  for (const c of checks) {
    const reason = validateCheckType(c);
    if (reason !== undefined) throw badRequest(`Invalid check: ${reason}`);
  }
  for (const c of checks) {
    const status = typeof c.Status === 'string' ? c.Status : '';
    if (status !== '' && !isValidStatus(status)) throw badRequest("Status for checks must 'passing', 'warning', 'critical'");
  }
  let taggedAddresses = d.TaggedAddresses as Record<string, ServiceAddress> | undefined;
  const family = ipFamily(address);
  if (family !== 0) {
    taggedAddresses = { ...(taggedAddresses ?? {}) };
    const lan = family === 4 ? 'lan_ipv4' : 'lan_ipv6';
    const wan = family === 4 ? 'wan_ipv4' : 'wan_ipv6';
    taggedAddresses[lan] ??= { Address: address, Port: port };
    taggedAddresses[wan] ??= { Address: address, Port: port };
  }
  if (taggedAddresses !== undefined) {
    for (const entry of Object.values(taggedAddresses)) {
      entry.Address ??= '';
      entry.Port ??= 0;
    }
  }
  return {
    service: {
      id,
      name,
      kind: typeof d.Kind === 'string' ? d.Kind : '',
      tags: ((d.Tags as string[] | undefined) ?? []).slice(),
      address,
      taggedAddresses,
      meta,
      port,
      socketPath: typeof d.SocketPath === 'string' ? d.SocketPath : '',
      weights,
      enableTagOverride: d.EnableTagOverride === true,
      proxy: d.Proxy,
      connect: d.Connect,
      local: true,
    },
    checks,
  };
}
