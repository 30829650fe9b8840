/** `/v1/agent/*`: the local agent's services, checks, maintenance, self and members. */
import { createHash } from 'node:crypto';
import type { Agent } from '../agent.js';
import { CONSUL_VERSION, unknownCheckMessage, unknownServiceMessage } from '../agent.js';
import { requirePermission } from '../acl.js';
import { parseBlockingParams } from '../blocking.js';
import { badRequest, notFound } from '../http-error.js';
import { AGENT_SERVICE_SCHEMA, CHECK_SCHEMA, applyFilter } from '../filter.js';
import { CHECK_DEFINITION_SCHEMA, CHECK_UPDATE_SCHEMA, DecodeError, SERVICE_DEFINITION_SCHEMA, decodeJson } from '../json-decode.js';
import type { Decoded, Schema } from '../json-decode.js';
import type { ApiServer, RequestContext } from '../server.js';
import { empty, json, parseGoBool } from '../server.js';
import { renderAgentService, renderCheck } from '../state/render.js';
import type { CheckStatus } from '../state/types.js';
import { isValidStatus } from '../definitions/check-type.js';

async function decodeBody(ctx: RequestContext, schema: Schema): Promise<Decoded> {
  const text = await ctx.body();
  try {
    return decodeJson(text, schema);
  } catch (error) {
    if (error instanceof DecodeError) throw badRequest(`Request decode failed: ${error.message}`);
    throw error;
  }
}

/** `?enable=` of the maintenance endpoints. */
function parseEnable(ctx: RequestContext): boolean {
  const raw = ctx.query.get('enable');
  if (raw === null) throw badRequest('Missing value for enable');
  const value = parseGoBool(raw);
  if (value === undefined) throw badRequest(`Invalid value for enable: ${JSON.stringify(raw)}`);
  return value;
}

/** ACL vet for an update of an existing check (`vetCheckUpdate`). */
function vetCheckUpdate(ctx: RequestContext, agent: Agent, checkId: string): void {
  const authz = ctx.authz;
  const check = agent.localCheck(checkId);
  if (check === undefined) throw notFound(unknownCheckMessage(checkId));
  if (check.serviceId !== '') requirePermission(authz, 'service', 'write', check.serviceName);
  else requirePermission(authz, 'node', 'write', agent.options.node);
}

function member(agent: Agent): Record<string, unknown> {
  const o = agent.options;
  return {
    Name: o.node,
    Addr: o.address,
    Port: 8301,
    Tags: {
      acls: o.token === undefined ? '0' : '1',
      build: `${CONSUL_VERSION}:devconsul`,
      dc: o.datacenter,
      ft_fs: '1',
      ft_si: '1',
      id: o.nodeId,
      port: '8300',
      raft_vsn: '3',
      role: 'consul',
      segment: '',
      vsn: '2',
      vsn_max: '3',
      vsn_min: '2',
      wan_join_port: '8302',
    },
    Status: 1,
    ProtocolMin: 1,
    ProtocolMax: 5,
    ProtocolCur: 2,
    DelegateMin: 2,
    DelegateMax: 5,
    DelegateCur: 4,
  };
}

/** Registers every `/v1/agent/*` route. */
export function registerAgentRoutes(server: ApiServer, agent: Agent): void {
  const node = agent.options.node;
  const dc = agent.options.datacenter;

  server.on('PUT', '/v1/agent/service/register', async (ctx) => {
    const definition = await decodeBody(ctx, SERVICE_DEFINITION_SCHEMA);
    const prepared = agent.prepareService(definition);
    const authz = ctx.authz;
    requirePermission(authz, 'service', 'write', prepared.service.name);
    const existing = agent.localService(prepared.service.id);
    if (existing !== undefined && existing.name !== prepared.service.name) requirePermission(authz, 'service', 'write', existing.name);
    const replaceRaw = ctx.query.get('replace-existing-checks');
    const replace = replaceRaw !== null && (replaceRaw === '' || replaceRaw === 'true');
    agent.registerService(prepared, replace);
    return empty();
  });

  server.on('PUT', '/v1/agent/service/deregister/', (ctx) => {
    const authz = ctx.authz;
    const service = agent.localService(ctx.rest);
    if (service === undefined) throw notFound(unknownServiceMessage(ctx.rest));
    requirePermission(authz, 'service', 'write', service.name);
    agent.deregisterService(ctx.rest);
    return empty();
  });

  server.on('PUT', '/v1/agent/service/maintenance/', (ctx) => {
    if (ctx.rest === '') throw badRequest('Missing service ID');
    const enable = parseEnable(ctx);
    const authz = ctx.authz;
    const service = agent.localService(ctx.rest);
    if (service === undefined) throw notFound(unknownServiceMessage(ctx.rest));
    requirePermission(authz, 'service', 'write', service.name);
    agent.setServiceMaintenance(ctx.rest, enable, ctx.query.get('reason') ?? '');
    return empty();
  });

  server.on('PUT', '/v1/agent/maintenance', (ctx) => {
    const enable = parseEnable(ctx);
    requirePermission(ctx.authz, 'node', 'write', node);
    agent.setNodeMaintenance(enable, ctx.query.get('reason') ?? '');
    return empty();
  });

  server.on('GET', '/v1/agent/services', (ctx) => {
    const authz = ctx.authz;
    const visible = authz.allowAll ? agent.localServices() : [];
    const rendered = visible.map((s) => renderAgentService(s, dc));
    const kept = applyFilter(rendered, ctx.query, AGENT_SERVICE_SCHEMA);
    const headers: Record<string, string> = {};
    if (!authz.allowAll && authz.tokenProvided && agent.localServices().length > 0) headers['X-Consul-Results-Filtered-By-Acls'] = 'true';
    return json(Object.fromEntries(kept.map((s) => [s.ID as string, s])), headers);
  });

  server.on('GET', '/v1/agent/service/', async (ctx) => {
    const id = ctx.rest;
    const authz = ctx.authz;
    const render = (): { body: Record<string, unknown>; hash: string } | undefined => {
      const s = agent.localService(id);
      if (s === undefined) return undefined;
      const body = renderAgentService(s, dc);
      const hash = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 16);
      return { body: { ...body, ContentHash: hash }, hash };
    };
    const first = render();
    if (first === undefined) throw notFound(`unknown service ID: ${id}`);
    requirePermission(authz, 'service', 'read', first.body.Service as string);
    const hash = ctx.query.get('hash');
    if (hash !== null && hash !== '') {
      const { timeoutMs } = parseBlockingParams(ctx.query);
      await ctx.watches.waitFor(() => render()?.hash !== hash, timeoutMs, ctx.signal);
    }
    const current = render();
    if (current === undefined) throw notFound(`unknown service ID: ${id}`);
    return json(current.body, { 'X-Consul-ContentHash': current.hash });
  });

  server.on('GET', '/v1/agent/checks', (ctx) => {
    const authz = ctx.authz;
    const all = agent.localChecks();
    const visible = authz.allowAll ? all : [];
    const rendered = visible.map((c) => renderCheck(c, node, agent.localService(c.serviceId)?.tags ?? [], 'agent'));
    const kept = applyFilter(rendered, ctx.query, CHECK_SCHEMA);
    const headers: Record<string, string> = {};
    if (!authz.allowAll && authz.tokenProvided && all.length > 0) headers['X-Consul-Results-Filtered-By-Acls'] = 'true';
    return json(Object.fromEntries(kept.map((c) => [c.CheckID as string, c])), headers);
  });

  server.on('PUT', '/v1/agent/check/register', async (ctx) => {
    const definition = await decodeBody(ctx, CHECK_DEFINITION_SCHEMA);
    const spec = agent.prepareCheck(definition);
    const authz = ctx.authz;
    if (spec.record.serviceId !== '') requirePermission(authz, 'service', 'write', spec.record.serviceName);
    else requirePermission(authz, 'node', 'write', node);
    agent.registerCheck(spec);
    return empty();
  });

  server.on('PUT', '/v1/agent/check/deregister/', (ctx) => {
    vetCheckUpdate(ctx, agent, ctx.rest);
    agent.deregisterCheck(ctx.rest);
    return empty();
  });

  const ttlRoute = (status: CheckStatus) => (ctx: RequestContext) => {
    vetCheckUpdate(ctx, agent, ctx.rest);
    agent.updateTtl(ctx.rest, status, ctx.query.get('note') ?? '');
    return empty();
  };
  server.on('PUT', '/v1/agent/check/pass/', ttlRoute('passing'));
  server.on('PUT', '/v1/agent/check/warn/', ttlRoute('warning'));
  server.on('PUT', '/v1/agent/check/fail/', ttlRoute('critical'));

  server.on('PUT', '/v1/agent/check/update/', async (ctx) => {
    const update = await decodeBody(ctx, CHECK_UPDATE_SCHEMA);
    const status = typeof update.Status === 'string' ? update.Status : '';
    if (!isValidStatus(status)) throw badRequest(`Invalid check status: '${status}'`);
    vetCheckUpdate(ctx, agent, ctx.rest);
    agent.updateTtl(ctx.rest, status, typeof update.Output === 'string' ? update.Output : '');
    return empty();
  });

  server.on('GET', '/v1/agent/self', (ctx) => {
    requirePermission(ctx.authz, 'agent', 'read', node);
    const o = agent.options;
    return json({
      Config: {
        Datacenter: o.datacenter,
        PrimaryDatacenter: o.datacenter,
        NodeName: o.node,
        NodeID: o.nodeId,
        Revision: 'devconsul',
        Server: true,
        Version: CONSUL_VERSION,
        BuildDate: '2024-11-20T00:00:00Z',
      },
      DebugConfig: {
        ACLsEnabled: o.token !== undefined,
        Bootstrap: true,
        ClientAddrs: [o.host],
        Datacenter: o.datacenter,
        DevMode: true,
        EnableScriptChecks: o.enableScriptChecks,
        NodeName: o.node,
        ServerMode: true,
      },
      Coord: { Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 1e-5 },
      Member: member(agent),
      Stats: {
        agent: { check_monitors: '0', check_ttls: String(agent.localChecks().filter((c) => c.type === 'ttl').length), checks: String(agent.localChecks().length), services: String(agent.localServices().length) },
        consul: { bootstrap: 'true', known_datacenters: '1', leader: 'true', leader_addr: `${o.address}:8300`, server: 'true' },
        runtime: { arch: process.arch, os: process.platform, version: process.version },
      },
      Meta: { 'consul-network-segment': '', 'consul-version': CONSUL_VERSION },
    });
  });

  server.on('GET', '/v1/agent/members', (ctx) => {
    const authz = ctx.authz;
    if (!authz.allowAll) {
      return json([], authz.tokenProvided ? { 'X-Consul-Results-Filtered-By-Acls': 'true' } : {});
    }
    return json([member(agent)]);
  });
}

