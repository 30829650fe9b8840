/** `/v1/health/*`: service entries with checks, and check lists. All blocking. */
import type { Agent } from '../agent.js';
import { badRequest, internalError } from '../http-error.js';
import { CHECK_SCHEMA, SERVICE_ENTRY_SCHEMA, compileFilter } from '../filter.js';
import type { Predicate } from '../filter.js';
import type { ApiServer, RequestContext } from '../server.js';
import { goJson } from '../server.js';
import { renderCheck, renderNode, renderNodeService } from '../state/render.js';
import { nodeMetaMatcher, passingOnly } from './query-params.js';
import { readServiceList } from './service-read.js';

/** Bound on the rendered-entries cache (service names). */
const MAX_CACHED_NAMES = 10_000;

/** Compiles `?filter=` up front: an invalid one is a 500 before any blocking. */
export function filterOf(ctx: RequestContext, schema: Parameters<typeof compileFilter>[1]): Predicate | undefined {
  const expression = ctx.query.get('filter');
  return expression === null || expression === '' ? undefined : compileFilter(expression, schema);
}

/** Registers every `/v1/health/*` route. */
export function registerHealthRoutes(server: ApiServer, agent: Agent): void {
  const catalog = agent.catalog;
  const nodeName = agent.options.node;

  // Rendered entries per service name, valid while the name's index stays put: every change that
  // alters an entry (service, its checks, node checks, deferred output sync) moves that index.
  // The compact JSON of the two common answers (all entries, ?passing) is kept too, so a change that
  // wakes many watchers of one service encodes it once.
  interface Rendered {
    index: number;
    entries: Array<Record<string, unknown>>;
    text?: string;
    passingText?: string;
  }
  const rendered = new Map<string, Rendered>();
  const renderedOf = (name: string): Rendered => {
    entriesOf(name);
    return rendered.get(name) as Rendered;
  };
  const entriesOf = (name: string): Array<Record<string, unknown>> => {
    const index = catalog.indexForService(name);
    const cached = rendered.get(name);
    if (cached !== undefined && cached.index === index) return cached.entries;
    const node = renderNode(catalog.node);
    const nodeChecks = catalog.nodeChecks();
    const entries = catalog.instancesOf(name).map((s) => ({
      Node: node,
      Service: renderNodeService(s),
      Checks: [...nodeChecks, ...catalog.checksOfService(s.id)].map((c) => renderCheck(c, nodeName, c.serviceId === '' ? [] : s.tags, 'catalog')),
    }));
    if (rendered.size >= MAX_CACHED_NAMES) rendered.clear();
    rendered.set(name, { index, entries });
    return entries;
  };

  server.on('GET', '/v1/health/service/', (ctx) => {
    const name = ctx.rest;
    if (name === '') throw badRequest('Missing service name');
    const passing = passingOnly(ctx.query);
    const predicate = filterOf(ctx, SERVICE_ENTRY_SCHEMA);
    const tags = ctx.query.getAll('tag').map((t) => t.toLowerCase());
    const metaOk = nodeMetaMatcher(ctx.query);
    return ctx.blocking(
      () => catalog.indexForService(name),
      () => {
        if (!ctx.authz.allowAll) return { body: [], filtered: catalog.instancesOf(name).length > 0 };
        if (!metaOk(catalog.node)) return { body: [] };
        if (tags.length === 0 && predicate === undefined) {
          // Common case: serve (and remember) the encoded answer.
          const r = renderedOf(name);
          if (passing) {
            const body = r.entries.filter((e) => (e.Checks as Array<{ Status: string }>).every((c) => c.Status === 'passing'));
            r.passingText ??= goJson(body, false);
            return { body, text: r.passingText };
          }
          r.text ??= goJson(r.entries, false);
          return { body: r.entries, text: r.text };
        }
        let entries = entriesOf(name);
        if (tags.length > 0) {
          entries = entries.filter((e) => {
            const own = (e.Service as { Tags: string[] }).Tags.map((t) => t.toLowerCase());
            return tags.every((t) => own.includes(t));
          });
        }
        if (predicate !== undefined) entries = entries.filter((e) => predicate(e));
        if (passing) entries = entries.filter((e) => (e.Checks as Array<{ Status: string }>).every((c) => c.Status === 'passing'));
        return { body: entries };
      },
      catalog.serviceTouchedGate(name),
    );
  });

  server.on('GET', '/v1/health/checks/', (ctx) => {
    const name = ctx.rest;
    if (name === '') throw badRequest('Missing service name');
    const predicate = filterOf(ctx, CHECK_SCHEMA);
    const metaOk = nodeMetaMatcher(ctx.query);
    return readServiceList(ctx, catalog, {
      name,
      tables: 'health',
      predicate,
      metaOk,
      list: (instances) => instances.flatMap((s) => catalog.checksOfService(s.id).map((c) => renderCheck(c, nodeName, s.tags, 'catalog'))),
    });
  });

  server.on('GET', '/v1/health/node/', (ctx) => {
    const wanted = ctx.rest;
    if (wanted === '') throw badRequest('Missing node name');
    const predicate = filterOf(ctx, CHECK_SCHEMA);
    return ctx.blocking(
      () => catalog.table('checks'),
      () => {
        if (wanted !== nodeName) return { body: [] };
        if (!ctx.authz.allowAll) return { body: [], filtered: true };
        let checks = catalog.allChecks().map((c) => renderCheck(c, nodeName, catalog.service(c.serviceId)?.tags ?? [], 'catalog'));
        if (predicate !== undefined) checks = checks.filter((c) => predicate(c));
        return { body: checks };
      },
    );
  });

  server.on('GET', '/v1/health/state/', (ctx) => {
    const state = ctx.rest;
    if (state === '') throw badRequest('Missing check state');
    if (!['any', 'passing', 'warning', 'critical'].includes(state)) throw internalError(`invalid state: ${state}`);
    const predicate = filterOf(ctx, CHECK_SCHEMA);
    const metaOk = nodeMetaMatcher(ctx.query);
    return ctx.blocking(
      () => catalog.table('checks'),
      () => {
        if (!ctx.authz.allowAll) return { body: [], filtered: true };
        if (!metaOk(catalog.node)) return { body: [] };
        let checks = catalog
          .allChecks()
          .filter((c) => state === 'any' || c.status === state)
          .map((c) => renderCheck(c, nodeName, catalog.service(c.serviceId)?.tags ?? [], 'catalog'));
        if (predicate !== undefined) checks = checks.filter((c) => predicate(c));
        return { body: checks };
      },
    );
  });
}
