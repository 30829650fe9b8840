import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under ESM its default export may arrive wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => void;

/** `openapi.yaml` at the package root: the contract, and the schema every request is validated against. */
export const OPENAPI_PATH = fileURLToPath(new URL('../../openapi.yaml', import.meta.url));

/** The id under which the document's components are registered in ajv (`openapi#/components/...`). */
const DOCUMENT_ID = 'openapi';

type Json = Record<string, unknown>;

/** The parts of an OpenAPI 3.1 document this package reads. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>;
  components: Json & { parameters?: Record<string, Json>; schemas?: Record<string, Json>; responses?: Record<string, Json> };
}

export function loadOpenApi(path = OPENAPI_PATH): OpenApiDocument {
  return parse(readFileSync(path, 'utf8')) as OpenApiDocument;
}

/** Rewrites the document's local `$ref`s (`#/components/...`) so ajv resolves them in the registered document. */
export function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (typeof value !== 'object' || value === null) return value;
  const out: Json = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = key === '$ref' && typeof inner === 'string' && inner.startsWith('#/') ? `${DOCUMENT_ID}${inner}` : rewriteRefs(inner);
  }
  return out;
}

/**
 * An ajv (JSON Schema 2020-12, which OpenAPI 3.1 uses) holding the document's components, with the
 * standard formats (email, uri, date-time, ...). `maxLength` and `minLength` count characters (code
 * points), as JSON Schema defines them, not UTF-16 units.
 */
export function createOpenApiAjv(document: OpenApiDocument): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true, verbose: true });
  addFormats(ajv);
  ajv.addSchema({ $id: DOCUMENT_ID, components: rewriteRefs(document.components) });
  return ajv;
}

/** Follows a local `$ref` (`#/components/<kind>/<name>`) one or more times. */
export function resolveRef(document: OpenApiDocument, value: Json): Json {
  let current = value;
  for (let hops = 0; typeof current.$ref === 'string' && hops < 10; hops += 1) {
    const [, , kind, name] = current.$ref.split('/');
    current = ((document.components[kind ?? ''] as Record<string, Json> | undefined)?.[name ?? ''] ?? {}) as Json;
  }
  return current;
}

/** One problem found in a request, reported in the 400's `details`. */
export interface FieldProblem {
  field: string;
  problem: string;
}

/** What an operation's validator hands the route: parameters converted to their schema types, and the body. */
export interface ValidatedRequest {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
}

/** Thrown by a validator; the caller turns it into a 400 with `message` and `details`. */
export class RequestValidationError extends Error {
  override readonly name = 'RequestValidationError';
  constructor(
    message: string,
    readonly details: FieldProblem[] | undefined,
  ) {
    super(message);
  }
}

interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Json;
}

const DECIMAL_INTEGER = /^-?(0|[1-9][0-9]{0,19})$/;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function problems(errors: readonly ErrorObject[] | null | undefined, prefix = ''): FieldProblem[] {
  const seen = new Set<string>();
  const list: FieldProblem[] = [];
  for (const error of errors ?? []) {
    let field = error.instancePath.split('/').filter(Boolean).join('.');
    let problem = error.message ?? 'is invalid';
    if (error.keyword === 'required') {
      field = [field, (error.params as { missingProperty: string }).missingProperty].filter(Boolean).join('.');
      problem = 'is required';
    } else if (error.keyword === 'additionalProperties') {
      field = [field, (error.params as { additionalProperty: string }).additionalProperty].filter(Boolean).join('.');
      problem = prefix === 'query' ? 'unknown query parameter' : 'unknown field';
    } else if (error.keyword === 'pattern' && typeof error.parentSchema?.description === 'string') {
      problem = `must be ${error.parentSchema.description}`;
    }
    const key = `${field}\u0000${problem}`;
    if (seen.has(key)) continue;
    seen.add(key);
    list.push({ field: field || '(body)', problem });
  }
  return list;
}

/** Path and query values are strings: those whose schema is an integer become numbers when they are plain decimals. */
function convert(document: OpenApiDocument, schema: Json | undefined, raw: string): unknown {
  const resolved = schema ? resolveRef(document, schema) : {};
  if (resolved.type === 'integer' && DECIMAL_INTEGER.test(raw)) return Number(raw);
  return raw;
}

/**
 * Validates requests against the operations of an OpenAPI document: path parameters, query
 * parameters (unknown names and repeated ones refused) and the JSON body, each against the schema the
 * document gives it. Built once per process; each operation's schemas are compiled on first use
 * (asking for an operation the document lacks throws at once).
 */
export class OpenApiRequestValidator {
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, (input: { params: Record<string, string | undefined>; query: unknown; body: unknown }) => ValidatedRequest>();

  constructor(readonly document: OpenApiDocument = loadOpenApi()) {
    this.ajv = createOpenApiAjv(document);
  }

  /** The validator of `method template` (`'put', '/votes/{postId}/users/{username}'`). @throws Error when the document lacks it */
  operation(method: string, template: string): (input: { params: Record<string, string | undefined>; query: unknown; body: unknown }) => ValidatedRequest {
    const key = `${method.toLowerCase()} ${template}`;
    if (!this.document.paths[template]?.[method.toLowerCase()]) throw new Error(`openapi.yaml has no operation ${method.toUpperCase()} ${template}`);
    // Compiled on first use: a process starts without compiling schemas it may never need.
    return (input) => {
      let validate = this.compiled.get(key);
      if (!validate) {
        validate = this.compile(method.toLowerCase(), template);
        this.compiled.set(key, validate);
      }
      return validate(input);
    };
  }

  private compile(method: string, template: string) {
    const pathItem = this.document.paths[template];
    const operation = pathItem?.[method] as Json | undefined;
    if (!pathItem || !operation) throw new Error(`openapi.yaml has no operation ${method.toUpperCase()} ${template}`);
    const parameters = [...((pathItem.parameters as Json[] | undefined) ?? []), ...((operation.parameters as Json[] | undefined) ?? [])].map(
      (parameter) => resolveRef(this.document, parameter) as unknown as ParameterObject,
    );
    const pathParameters = parameters.filter((parameter) => parameter.in === 'path');
    const queryParameters = parameters.filter((parameter) => parameter.in === 'query');
    const objectSchema = (list: ParameterObject[], additional: boolean): ValidateFunction =>
      this.ajv.compile({
        type: 'object',
        properties: Object.fromEntries(list.map((parameter) => [parameter.name, rewriteRefs(parameter.schema ?? {})])),
        required: list.filter((parameter) => parameter.required).map((parameter) => parameter.name),
        additionalProperties: additional,
      });
    const validatePath = objectSchema(pathParameters, true);
    const validateQuery = objectSchema(queryParameters, false);
    const requestBody = operation.requestBody ? resolveRef(this.document, operation.requestBody as Json) : undefined;
    const bodySchema = ((requestBody?.content as Json | undefined)?.['application/json'] as Json | undefined)?.schema as Json | undefined;
    const validateBody = bodySchema ? this.ajv.compile(rewriteRefs(bodySchema) as Json) : undefined;
    const bodyRequired = requestBody?.required === true;
    const document = this.document;

    return (input: { params: Record<string, string | undefined>; query: unknown; body: unknown }): ValidatedRequest => {
      const params: Record<string, unknown> = {};
      for (const parameter of pathParameters) {
        const raw = input.params[parameter.name];
        if (raw !== undefined) params[parameter.name] = convert(document, parameter.schema, raw);
      }
      if (!validatePath(params)) throw new RequestValidationError('invalid path parameter', problems(validatePath.errors));

      const queryProblems: FieldProblem[] = [];
      const entries: Array<[string, unknown]> = [];
      for (const [name, raw] of Object.entries((input.query ?? {}) as Record<string, unknown>)) {
        if (typeof raw !== 'string') {
          queryProblems.push({ field: name, problem: 'must be given once' });
          continue;
        }
        const parameter = queryParameters.find((candidate) => candidate.name === name);
        entries.push([name, convert(document, parameter?.schema, raw)]);
      }
      // fromEntries defines own properties, so a parameter named __proto__ is data, reported as unknown.
      const query = Object.fromEntries(entries);
      if (!validateQuery(query)) queryProblems.push(...problems(validateQuery.errors, 'query'));
      if (queryProblems.length > 0) throw new RequestValidationError('invalid query string', queryProblems);

      if (validateBody) {
        if (input.body === undefined) {
          if (bodyRequired) throw new RequestValidationError('request body must be a JSON object sent with Content-Type: application/json', undefined);
        } else if (!validateBody(input.body)) {
          if (typeof input.body !== 'object' || input.body === null || Array.isArray(input.body)) {
            throw new RequestValidationError(`request body must be a JSON object, got ${describe(input.body)}`, undefined);
          }
          throw new RequestValidationError('invalid request body', problems(validateBody.errors));
        }
      }
      for (const parameter of queryParameters) {
        const fallback = (parameter.schema ? resolveRef(document, parameter.schema) : {}).default;
        if (query[parameter.name] === undefined && fallback !== undefined) query[parameter.name] = fallback;
      }
      return { params, query, body: input.body };
    };
  }
}
