/** `/v1/catalog/*`: services, service instances (no health), nodes, datacenters. */
import type { Agent } from '../agent.js';
import { badRequest } from '../http-error.js';
import { CATALOG_SERVICE_SCHEMA, NODE_SCHEMA } from '../filter.js';
import type { ApiServer } from '../server.js';
import { json } from '../server.js';
import { renderCatalogService, renderNode, renderNodeService } from '../state/render.js';
import { filterOf } from './health.js';
import { nodeMetaMatcher, tagMatcher } from './query-params.js';
import { readServiceList } from './service-read.js';

/** Registers every `/v1/catalog/*` route. */
export function registerCatalogRoutes(server: ApiServer, agent: Agent): void {
  const catalog = agent.catalog;

  server.on('GET', '/v1/catalog/datacenters', () => json([agent.options.datacenter]));

  server.on('GET', '/v1/catalog/services', (ctx) => {
    const predicate = filterOf(ctx, CATALOG_SERVICE_SCHEMA);
    const metaOk = nodeMetaMatcher(ctx.query);
    return ctx.blocking(
      () => catalog.table('services'),
      () => {
        if (!ctx.authz.allowAll) return { body: {}, filtered: true };
        const out: Record<string, string[]> = {};
        if (!metaOk(catalog.node)) return { body: out };
        for (const s of catalog.allServices()) {
          if (predicate !== undefined && !predicate(renderCatalogService(catalog.node, s))) continue;
          const tags = (out[s.name] ??= []);
          for (const t of s.tags) if (!tags.includes(t)) tags.push(t);
        }
        return { body: out };
      },
    );
  });

  server.on('GET', '/v1/catalog/service/', (ctx) => {
    const name = ctx.rest;
    if (name === '') throw badRequest('Missing service name');
    const predicate = filterOf(ctx, CATALOG_SERVICE_SCHEMA);
    const tagOk = tagMatcher(ctx.query);
    const metaOk = nodeMetaMatcher(ctx.query);
    return readServiceList(ctx, catalog, {
      name,
      tables: 'catalog',
      predicate,
      metaOk,
      list: (instances) => instances.filter(tagOk).map((s) => renderCatalogService(catalog.node, s)),
    });
  });

  server.on('GET', '/v1/catalog/nodes', (ctx) => {
    const predicate = filterOf(ctx, NODE_SCHEMA);
    const metaOk = nodeMetaMatcher(ctx.query);
    return ctx.blocking(
      () => catalog.table('nodes'),
      () => {
        if (!ctx.authz.allowAll) return { body: [], filtered: true };
        let nodes = metaOk(catalog.node) ? [renderNode(catalog.node)] : [];
        if (predicate !== undefined) nodes = nodes.filter((n) => predicate(n));
        return { body: nodes };
      },
    );
  });

  server.on('GET', '/v1/catalog/node/', (ctx) => {
    const wanted = ctx.rest;
    if (wanted === '') throw badRequest('Missing node name');
    return ctx.blocking(
      () => Math.max(catalog.table('nodes'), catalog.table('services')),
      () => {
        if (wanted !== catalog.node.name) return { body: null };
        if (!ctx.authz.allowAll) return { body: null, filtered: true };
        const services = Object.fromEntries(catalog.allServices().map((s) => [s.id, renderNodeService(s)]));
        return { body: { Node: renderNode(catalog.node), Services: services } };
      },
    );
  });
}
