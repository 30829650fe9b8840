import { resolveRef } from '../shared/openapi.js';
import type { OpenApiDocument } from '../shared/openapi.js';

/**
 * Most ids `GET /votes/sort` takes at once, read from openapi.yaml: the pattern of its `ids` parameter
 * (`^id(,id){0,499}$`: one id, then up to 499 more) is what every request is validated against, so the
 * document is the one source of the limit and the code derives it.
 * @throws Error when the document has no such parameter or its pattern does not end in a bounded repetition
 */
export function maxSortIds(document: OpenApiDocument): number {
  const operation = document.paths['/votes/sort']?.get as { parameters?: Array<Record<string, unknown>> } | undefined;
  const ids = (operation?.parameters ?? []).map((parameter) => resolveRef(document, parameter)).find((parameter) => parameter.name === 'ids');
  const pattern = (ids?.schema as { pattern?: unknown } | undefined)?.pattern;
  const more = typeof pattern === 'string' ? /\)\{0,(\d+)\}\$$/.exec(pattern) : null;
  if (!more?.[1]) throw new Error(`openapi.yaml: GET /votes/sort's ids pattern ${JSON.stringify(pattern)} does not end in (,id){0,N}$`);
  return 1 + Number(more[1]);
}
