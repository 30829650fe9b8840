import type { OpenApiDocument } from './openapi.js';

const OPERATION_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * The methods each path of openapi.yaml answers, as `ApiRouter` routes them: the path's operations, HEAD with GET,
 * OPTIONS always. A concrete path belongs to the first template it matches, literal segments before parameters
 * (`/votes/top` before `/votes/{postId}`), as the services register their routes.
 */
export class AllowedMethods {
  private readonly templates: Array<{ regex: RegExp; params: number; allow: string[] }>;

  constructor(document: OpenApiDocument) {
    this.templates = Object.entries(document.paths)
      .map(([template, item]) => {
        const allow = new Set(['OPTIONS']);
        for (const method of OPERATION_METHODS) {
          if (!item[method]) continue;
          allow.add(method.toUpperCase());
          if (method === 'get') allow.add('HEAD');
        }
        return { regex: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}/?$`), params: (template.match(/\{/g) ?? []).length, allow: [...allow].sort() };
      })
      .sort((a, b) => a.params - b.params);
  }

  /** The sorted methods of the path's template; undefined when no template matches (a 404). */
  of(path: string): string[] | undefined {
    return this.templates.find((template) => template.regex.test(path))?.allow;
  }
}
