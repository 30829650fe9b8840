/**
 * The `?filter=` language: a subset of go-bexpr, evaluated over the JSON entries an endpoint returns.
 *
 *   expr   := or
 *   or     := and ("or" and)*
 *   and    := not ("and" not)*
 *   not    := "not" not | "(" or ")" | match
 *   match  := selector ("==" | "!=") value
 *           | selector ["not"] "contains" value | selector ["not"] "matches" value
 *           | selector "is" ["not"] "empty"
 *           | value ["not"] "in" selector
 *   selector := Ident ("." Ident | "[" string "]")*
 *   value  := "double quoted" | `backquoted` | bare word
 *
 * A selector that crosses a list (`Checks.Status`) yields every element's value; `==`, `contains`,
 * `in` and `matches` then hold when any element matches, their negations when none does. Errors make
 * Consul's 500 `Failed to create boolean expression evaluator: ...`.
 */
import { internalError } from './http-error.js';
import type { HttpError } from './http-error.js';

/** Allowed selectors: a nested map of field names; `'map'` accepts any key below, `'leaf'` nothing. */
export type FilterSchema = { readonly [field: string]: FilterSchema | 'map' | 'leaf' };

type Node =
  | { op: 'and' | 'or'; left: Node; right: Node }
  | { op: 'not'; expr: Node }
  | { op: 'eq' | 'ne' | 'contains' | 'notContains' | 'matches' | 'notMatches' | 'in' | 'notIn'; selector: string[]; value: string; regex?: RegExp }
  | { op: 'empty' | 'notEmpty'; selector: string[] };

interface Token {
  kind: 'ident' | 'string' | 'op' | 'lparen' | 'rparen' | 'dot' | 'lbracket' | 'rbracket' | 'eof';
  text: string;
  pos: number;
}

function filterError(message: string): HttpError {
  return internalError(`Failed to create boolean expression evaluator: ${message}`);
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '(' || c === ')') {
      tokens.push({ kind: c === '(' ? 'lparen' : 'rparen', text: c, pos: start });
      i++;
    } else if (c === '[' || c === ']') {
      tokens.push({ kind: c === '[' ? 'lbracket' : 'rbracket', text: c, pos: start });
      i++;
    } else if (c === '.') {
      tokens.push({ kind: 'dot', text: c, pos: start });
      i++;
    } else if (c === '=' || c === '!') {
      if (input[i + 1] !== '=') throw filterError(`1:${start + 1} (${start}): no match found, expected: "!=" or "=="`);
      tokens.push({ kind: 'op', text: input.slice(i, i + 2), pos: start });
      i += 2;
    } else if (c === '"' || c === '`') {
      let j = i + 1;
      let text = '';
      while (j < input.length && input[j] !== c) {
        if (c === '"' && input[j] === '\\' && j + 1 < input.length) {
          const n = input[j + 1] as string;
          text += n === 'n' ? '\n' : n === 't' ? '\t' : n;
          j += 2;
        } else {
          text += input[j];
          j++;
        }
      }
      if (j >= input.length) throw filterError(`1:${start + 1} (${start}): no match found, expected: unterminated string`);
      tokens.push({ kind: 'string', text, pos: start });
      i = j + 1;
    } else if (/[A-Za-z0-9_\-+:/]/.test(c)) {
      let j = i;
      while (j < input.length && /[A-Za-z0-9_\-+:/]/.test(input[j] as string)) j++;
      tokens.push({ kind: 'ident', text: input.slice(i, j), pos: start });
      i = j;
    } else {
      throw filterError(`1:${start + 1} (${start}): no match found, expected: [ \\t\\r\\n] or [a-zA-Z0-9_]`);
    }
  }
  tokens.push({ kind: 'eof', text: '', pos: input.length });
  return tokens;
}

class Parser {
  private i = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly schema: FilterSchema,
  ) {}

  parse(): Node {
    if (this.peek().kind === 'eof') throw filterError('1:1 (0): no match found, expected: "(", "not" or [a-zA-Z0-9_]');
    const node = this.or();
    const rest = this.peek();
    if (rest.kind !== 'eof') throw filterError(`1:${rest.pos + 1} (${rest.pos}): no match found, expected: "and", "or" or EOF`);
    return node;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const t = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }

  private isWord(t: Token, word: string): boolean {
    return t.kind === 'ident' && t.text === word;
  }

  private or(): Node {
    let left = this.and();
    while (this.isWord(this.peek(), 'or')) {
      this.next();
      left = { op: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Node {
    let left = this.not();
    while (this.isWord(this.peek(), 'and')) {
      this.next();
      left = { op: 'and', left, right: this.not() };
    }
    return left;
  }

  private not(): Node {
    const t = this.peek();
    if (this.isWord(t, 'not') && !this.isWord(this.peek(1), 'in')) {
      this.next();
      return { op: 'not', expr: this.not() };
    }
    if (t.kind === 'lparen') {
      this.next();
      const inner = this.or();
      const close = this.next();
      if (close.kind !== 'rparen') throw filterError(`1:${close.pos + 1} (${close.pos}): no match found, expected: ")"`);
      return inner;
    }
    return this.match();
  }

  private value(): string {
    const t = this.next();
    if (t.kind === 'string' || t.kind === 'ident') return t.text;
    throw filterError(`1:${t.pos + 1} (${t.pos}): no match found, expected: a value`);
  }

  private selector(): string[] {
    const first = this.next();
    if (first.kind !== 'ident') throw filterError(`1:${first.pos + 1} (${first.pos}): no match found, expected: a selector`);
    const path = [first.text];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'dot') {
        this.next();
        const part = this.next();
        if (part.kind !== 'ident') throw filterError(`1:${part.pos + 1} (${part.pos}): no match found, expected: [a-zA-Z0-9_]`);
        path.push(part.text);
      } else if (t.kind === 'lbracket') {
        this.next();
        const key = this.next();
        const close = this.next();
        if (key.kind !== 'string' || close.kind !== 'rbracket') throw filterError(`1:${t.pos + 1} (${t.pos}): no match found, expected: a quoted index`);
        path.push(key.text);
      } else break;
    }
    validateSelector(path, this.schema);
    return path;
  }

  private match(): Node {
    // `value [not] in selector`
    const t = this.peek();
    const second = this.peek(1);
    if ((t.kind === 'string' || t.kind === 'ident') && (this.isWord(second, 'in') || (this.isWord(second, 'not') && this.isWord(this.peek(2), 'in')))) {
      const value = this.value();
      const negate = this.isWord(this.peek(), 'not');
      if (negate) this.next();
      this.next(); // in
      return { op: negate ? 'notIn' : 'in', selector: this.selector(), value };
    }
    const selector = this.selector();
    const op = this.next();
    if (op.kind === 'op') return { op: op.text === '==' ? 'eq' : 'ne', selector, value: this.value() };
    if (this.isWord(op, 'is')) {
      const negate = this.isWord(this.peek(), 'not');
      if (negate) this.next();
      const empty = this.next();
      if (!this.isWord(empty, 'empty')) throw filterError(`1:${empty.pos + 1} (${empty.pos}): no match found, expected: "empty"`);
      return { op: negate ? 'notEmpty' : 'empty', selector };
    }
    let negate = false;
    let word = op;
    if (this.isWord(op, 'not')) {
      negate = true;
      word = this.next();
    }
    if (this.isWord(word, 'contains')) return { op: negate ? 'notContains' : 'contains', selector, value: this.value() };
    if (this.isWord(word, 'matches')) {
      const value = this.value();
      let regex: RegExp;
      try {
        regex = new RegExp(value);
      } catch {
        throw filterError(`error parsing regexp: invalid regular expression: ${JSON.stringify(value)}`);
      }
      return { op: negate ? 'notMatches' : 'matches', selector, value, regex };
    }
    throw filterError(`1:${word.pos + 1} (${word.pos}): no match found, expected: "!=", "==", "contains", "in", "is", "matches" or "not"`);
  }
}

function validateSelector(path: string[], schema: FilterSchema): void {
  let node: FilterSchema | 'map' | 'leaf' = schema;
  for (const part of path) {
    if (node === 'map') return;
    if (node === 'leaf' || !Object.hasOwn(node, part)) throw filterError(`Selector ${JSON.stringify(path.join('.'))} is not valid`);
    node = node[part] as FilterSchema | 'map' | 'leaf';
  }
}

function collect(value: unknown, path: string[]): unknown[] {
  let current: unknown[] = [value];
  for (const part of path) {
    const nextValues: unknown[] = [];
    for (const v of current) {
      if (Array.isArray(v)) {
        for (const item of v) if (item !== null && typeof item === 'object' && part in item) nextValues.push((item as Record<string, unknown>)[part]);
      } else if (v !== null && typeof v === 'object' && part in v) nextValues.push((v as Record<string, unknown>)[part]);
    }
    current = nextValues;
  }
  return current;
}

function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '';
}

function evaluate(node: Node, item: unknown): boolean {
  switch (node.op) {
    case 'and':
      return evaluate(node.left, item) && evaluate(node.right, item);
    case 'or':
      return evaluate(node.left, item) || evaluate(node.right, item);
    case 'not':
      return !evaluate(node.expr, item);
    default:
      break;
  }
  const values = collect(item, node.selector);
  const anyValue = (pred: (v: unknown) => boolean): boolean => values.some(pred);
  switch (node.op) {
    case 'eq':
      return anyValue((v) => asText(v) === node.value);
    case 'ne':
      return !anyValue((v) => asText(v) === node.value);
    case 'contains':
    case 'in':
      return anyValue((v) => containsValue(v, node.value));
    case 'notContains':
    case 'notIn':
      return !anyValue((v) => containsValue(v, node.value));
    case 'matches':
      return anyValue((v) => node.regex?.test(asText(v)) === true);
    case 'notMatches':
      return !anyValue((v) => node.regex?.test(asText(v)) === true);
    case 'empty':
      return values.every(isEmptyValue);
    case 'notEmpty':
      return !values.every(isEmptyValue);
  }
}

function containsValue(v: unknown, needle: string): boolean {
  if (Array.isArray(v)) return v.some((x) => asText(x) === needle);
  if (typeof v === 'string') return v.includes(needle);
  if (v !== null && typeof v === 'object') return Object.hasOwn(v, needle);
  return false;
}

function isEmptyValue(v: unknown): boolean {
  if (v === null || v === undefined || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

/** A compiled filter. */
export type Predicate = (item: unknown) => boolean;

/**
 * Compiles `?filter=` against the selectors an endpoint allows.
 * @throws HttpError 500 `Failed to create boolean expression evaluator: ...`.
 */
export function compileFilter(expression: string, schema: FilterSchema): Predicate {
  const ast = new Parser(tokenize(expression), schema).parse();
  return (item) => evaluate(ast, item);
}

/** Applies `?filter=` when present. */
export function applyFilter<T>(items: T[], query: URLSearchParams, schema: FilterSchema): T[] {
  const expression = query.get('filter');
  if (expression === null || expression === '') return items;
  const predicate = compileFilter(expression, schema);
  return items.filter((item) => predicate(item));
}

const L = 'leaf' as const;
const M = 'map' as const;

export const NODE_SCHEMA: FilterSchema = { ID: L, Node: L, Address: L, Datacenter: L, TaggedAddresses: M, Meta: M, PeerName: L, Partition: L };

const NODE_SERVICE_FIELDS: FilterSchema = {
  Kind: L, ID: L, Service: L, Tags: L, Address: L, TaggedAddresses: M, Meta: M, Port: L, SocketPath: L,
  Weights: { Passing: L, Warning: L }, EnableTagOverride: L, Proxy: M, Connect: M, PeerName: L, Namespace: L, Partition: L, Datacenter: L,
};

export const CHECK_SCHEMA: FilterSchema = {
  Node: L, CheckID: L, Name: L, Status: L, Notes: L, Output: L, ServiceID: L, ServiceName: L, ServiceTags: L,
  Type: L, Interval: L, Timeout: L, ExposedPort: L, Definition: M, PeerName: L, Namespace: L, Partition: L,
};

/** `/v1/health/service/:name` entries. */
export const SERVICE_ENTRY_SCHEMA: FilterSchema = { Node: NODE_SCHEMA, Service: NODE_SERVICE_FIELDS, Checks: CHECK_SCHEMA };

/** `/v1/agent/services` values. */
export const AGENT_SERVICE_SCHEMA: FilterSchema = NODE_SERVICE_FIELDS;

/** `/v1/catalog/service/:name` (and `/v1/catalog/services`) entries. */
export const CATALOG_SERVICE_SCHEMA: FilterSchema = {
  ID: L, Node: L, Address: L, Datacenter: L, TaggedAddresses: M, NodeMeta: M, ServiceKind: L, ServiceID: L, ServiceName: L,
  ServiceTags: L, ServiceAddress: L, ServiceTaggedAddresses: M, ServiceWeights: { Passing: L, Warning: L }, ServiceMeta: M,
  ServicePort: L, ServiceSocketPath: L, ServiceEnableTagOverride: L, ServiceProxy: M, ServiceConnect: M,
};
