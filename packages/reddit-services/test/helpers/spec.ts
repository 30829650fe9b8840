import type { ValidateFunction } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { OPENAPI_PATH, createOpenApiAjv, loadOpenApi, rewriteRefs } from '../../src/shared/openapi.js';
import type { OpenApiDocument } from '../../src/shared/openapi.js';

export const SPEC_PATH = OPENAPI_PATH;

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

type Json = Record<string, unknown>;

interface Operation {
  responses: Record<string, Json>;
}

export type SpecDocument = OpenApiDocument;

export function loadSpec(): SpecDocument {
  return loadOpenApi();
}

/** One operation of the spec: `GET /posts/{id}`. */
export interface OperationKey {
  method: string;
  path: string;
}

/**
 * Checks responses against openapi.yaml: the path template and method must exist, the status must be
 * declared for it, the body must be JSON matching the declared schema.
 */
export class SpecChecker {
  readonly spec: SpecDocument;
  private readonly ajv: Ajv2020;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly templates: Array<{ path: string; regex: RegExp; params: number }>;
  /** Every `METHOD template status` checked so far. */
  readonly seen = new Set<string>();

  constructor(spec = loadSpec()) {
    this.spec = spec;
    this.ajv = createOpenApiAjv(spec);
    this.templates = Object.keys(spec.paths)
      .map((path) => ({
        path,
        regex: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
        params: (path.match(/\{/g) ?? []).length,
      }))
      .sort((a, b) => a.params - b.params);
  }

  /** The spec path template a concrete path belongs to (literal segments win over parameters). */
  template(path: string): string | undefined {
    const pathname = path.split('?')[0] ?? path;
    return this.templates.find((template) => template.regex.test(pathname))?.path;
  }

  operation(method: string, template: string): Operation | undefined {
    return this.spec.paths[template]?.[method.toLowerCase()] as Operation | undefined;
  }

  /** Throws an Error describing every mismatch. */
  check(method: string, path: string, status: number, contentType: string | null, body: unknown): void {
    const template = this.template(path);
    if (!template) throw new Error(`${method} ${path}: no such path in openapi.yaml`);
    const operation = this.operation(method, template);
    if (!operation) throw new Error(`${method} ${template}: method not in openapi.yaml`);
    const response = operation.responses[String(status)] ?? operation.responses.default;
    if (!response) throw new Error(`${method} ${template}: status ${status} not declared in openapi.yaml (body ${JSON.stringify(body)})`);
    if (!contentType?.startsWith('application/json')) throw new Error(`${method} ${path} ${status}: content-type ${contentType}, expected application/json`);
    const key = `${method.toUpperCase()} ${template} ${status}`;
    let validate = this.validators.get(key);
    if (!validate) {
      const resolved = this.resolveResponse(response);
      const schema = (resolved.content as Json | undefined)?.['application/json'] as Json | undefined;
      if (!schema?.schema) throw new Error(`${key}: no application/json schema in openapi.yaml`);
      validate = this.ajv.compile(rewriteRefs(schema.schema) as Json);
      this.validators.set(key, validate);
    }
    if (!validate(body)) {
      throw new Error(`${key}: body does not match openapi.yaml: ${this.ajv.errorsText(validate.errors)}\nbody: ${JSON.stringify(body).slice(0, 500)}`);
    }
    this.seen.add(key);
  }

  private resolveResponse(response: Json): Json {
    const ref = response.$ref;
    if (typeof ref !== 'string') return response;
    const name = ref.replace('#/components/responses/', '');
    return (this.spec.components.responses as Json)[name] as Json;
  }

  /** Every operation declared in the spec. */
  operations(): OperationKey[] {
    const list: OperationKey[] = [];
    for (const [path, item] of Object.entries(this.spec.paths)) {
      for (const method of HTTP_METHODS) if (item[method]) list.push({ method: method.toUpperCase(), path });
    }
    return list;
  }
}
