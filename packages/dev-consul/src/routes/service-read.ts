/**
 * The shape the per-service-name list reads share (`/v1/catalog/service/:name`,
 * `/v1/health/checks/:name`): block on the name's index, show a token that may not read the service
 * an empty list (flagged as filtered when there was something to hide), answer `[]` when the node
 * fails `?node-meta`, then list what the instances give and apply `?filter`.
 */
import type { Predicate } from '../filter.js';
import type { Reply, RequestContext } from '../server.js';
import type { Catalog } from '../state/catalog.js';
import type { ServiceIndexTables } from '../state/catalog.js';
import type { NodeRecord, ServiceRecord } from '../state/types.js';

/** How one per-service read selects and renders. */
export interface ServiceReadOptions<T> {
  name: string;
  /** Which tables a missing service falls back to (Consul: checks for health reads, not for catalog ones). */
  tables: ServiceIndexTables;
  /** The compiled `?filter`, if any. */
  predicate: Predicate | undefined;
  /** `?node-meta`. */
  metaOk: (node: NodeRecord) => boolean;
  /** Renders the answer's items from the name's instances. */
  list: (instances: ServiceRecord[]) => T[];
}

/** Runs a blocking per-service-name list read. */
export function readServiceList<T>(ctx: RequestContext, catalog: Catalog, options: ServiceReadOptions<T>): Promise<Reply> {
  const { name, tables, predicate, metaOk, list } = options;
  return ctx.blocking(
    () => catalog.indexForService(name, tables),
    () => {
      const instances = catalog.instancesOf(name);
      if (!ctx.authz.allowAll) return { body: [], filtered: instances.length > 0 };
      if (!metaOk(catalog.node)) return { body: [] };
      const items = list(instances);
      return { body: predicate === undefined ? items : items.filter((item) => predicate(item)) };
    },
    catalog.serviceTouchedGate(name),
  );
}
