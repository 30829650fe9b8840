/**
 * The wire shapes: catalog records rendered as Consul's JSON (`api.Node`, `api.AgentService`,
 * `api.HealthCheck`, `api.ServiceEntry`, `api.CatalogService`), field names and casing included.
 */
import { formatGoDuration } from '../duration.js';
import type { CheckRecord, NodeRecord, ServiceRecord } from './types.js';

function isIPv4(address: string): boolean {
  return /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(address);
}

/** Node-level tagged addresses (`map[string]string`). */
export function nodeTaggedAddresses(node: NodeRecord): Record<string, string> {
  const out: Record<string, string> = { lan: node.address, wan: node.address };
  if (isIPv4(node.address)) {
    out.lan_ipv4 = node.address;
    out.wan_ipv4 = node.address;
  } else {
    out.lan_ipv6 = node.address;
    out.wan_ipv6 = node.address;
  }
  return out;
}

/** The node fields `api.Node` and `api.CatalogService` both start with, in Consul's order. */
function nodeIdentity(node: NodeRecord): Record<string, unknown> {
  return {
    ID: node.id,
    Node: node.name,
    Address: node.address,
    Datacenter: node.datacenter,
    TaggedAddresses: nodeTaggedAddresses(node),
  };
}

/** `api.Node` as in `/v1/catalog/nodes` and health entries. */
export function renderNode(node: NodeRecord): Record<string, unknown> {
  return {
    ...nodeIdentity(node),
    Meta: { ...node.meta },
    CreateIndex: node.createIndex,
    ModifyIndex: node.modifyIndex,
  };
}

/** `structs.NodeService` as carried in health entries and `/v1/catalog/node/:node`. */
export function renderNodeService(s: ServiceRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (s.kind !== '') out.Kind = s.kind;
  out.ID = s.id;
  out.Service = s.name;
  out.Tags = [...s.tags];
  out.Address = s.address;
  if (s.taggedAddresses !== undefined) out.TaggedAddresses = structuredClone(s.taggedAddresses);
  out.Meta = s.meta === null ? null : { ...s.meta };
  out.Port = s.port;
  if (s.socketPath !== '') out.SocketPath = s.socketPath;
  out.Weights = { ...s.weights };
  out.EnableTagOverride = s.enableTagOverride;
  out.Proxy = s.proxy === undefined ? { Mode: '', MeshGateway: {}, Expose: {} } : structuredClone(s.proxy);
  out.Connect = s.connect === undefined ? {} : structuredClone(s.connect);
  out.CreateIndex = s.createIndex;
  out.ModifyIndex = s.modifyIndex;
  return out;
}

/** `api.AgentService` as in `/v1/agent/services` (Tags `[]`, Meta `{}`, no indexes). */
export function renderAgentService(s: ServiceRecord, datacenter: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (s.kind !== '') out.Kind = s.kind;
  out.ID = s.id;
  out.Service = s.name;
  out.Tags = [...s.tags];
  out.Meta = s.meta === null ? {} : { ...s.meta };
  out.Port = s.port;
  out.Address = s.address;
  if (s.socketPath !== '') out.SocketPath = s.socketPath;
  if (s.taggedAddresses !== undefined) out.TaggedAddresses = structuredClone(s.taggedAddresses);
  out.Weights = { ...s.weights };
  out.EnableTagOverride = s.enableTagOverride;
  if (s.proxy !== undefined) out.Proxy = structuredClone(s.proxy);
  if (s.connect !== undefined) out.Connect = structuredClone(s.connect);
  out.Datacenter = datacenter;
  return out;
}

function durationText(ns: number): string {
  return ns > 0 ? formatGoDuration(ns) : '';
}

/**
 * `api.HealthCheck`. `view` picks the output: the catalog's (health endpoints) or the agent's
 * (`/v1/agent/checks`, which also reports zero indexes).
 */
export function renderCheck(c: CheckRecord, nodeName: string, serviceTags: string[], view: 'catalog' | 'agent'): Record<string, unknown> {
  return {
    Node: nodeName,
    CheckID: c.checkId,
    Name: c.name,
    Status: c.status,
    Notes: c.notes,
    Output: view === 'agent' ? c.output : c.syncedOutput,
    ServiceID: c.serviceId,
    ServiceName: c.serviceName,
    ServiceTags: [...serviceTags],
    Type: c.type,
    Interval: durationText(c.intervalNs),
    Timeout: durationText(c.timeoutNs),
    ExposedPort: 0,
    Definition: structuredClone(c.definition),
    CreateIndex: view === 'agent' ? 0 : c.createIndex,
    ModifyIndex: view === 'agent' ? 0 : c.modifyIndex,
  };
}

/** `api.CatalogService`: the flat entry of `/v1/catalog/service/:name`. */
export function renderCatalogService(node: NodeRecord, s: ServiceRecord): Record<string, unknown> {
  return {
    ...nodeIdentity(node),
    NodeMeta: { ...node.meta },
    ServiceKind: s.kind,
    ServiceID: s.id,
    ServiceName: s.name,
    ServiceTags: [...s.tags],
    ServiceAddress: s.address,
    ServiceTaggedAddresses: s.taggedAddresses === undefined ? undefined : structuredClone(s.taggedAddresses),
    ServiceWeights: { ...s.weights },
    ServiceMeta: s.meta === null ? {} : { ...s.meta },
    ServicePort: s.port,
    ServiceSocketPath: s.socketPath,
    ServiceEnableTagOverride: s.enableTagOverride,
    ServiceProxy: s.proxy === undefined ? { Mode: '', MeshGateway: {}, Expose: {} } : structuredClone(s.proxy),
    ServiceConnect: s.connect === undefined ? {} : structuredClone(s.connect),
    CreateIndex: s.createIndex,
    ModifyIndex: s.modifyIndex,
  };
}
