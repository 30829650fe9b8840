/**
 * Request-body decoding with Go's `encoding/json` rules as Consul configures them (`lib.DecodeJSON`):
 * keys match field names case-insensitively, service and check definitions also accept snake_case,
 * unknown keys are rejected (`json: unknown field "X"`), `null` leaves the zero value, and durations are
 * Go strings or JSON numbers of nanoseconds. Errors carry Go's message so the HTTP layer can answer
 * `400 Request decode failed: <message>` exactly like Consul.
 */
import { parseGoDuration } from './duration.js';

/** The decoder's failure, with a Go-style message. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

/** How one field is decoded. */
export type FieldType =
  | 'string'
  | 'int'
  | 'bool'
  | 'stringArray'
  | 'stringMap'
  | 'headerMap'
  | 'duration'
  | 'any'
  | { object: Schema }
  | { arrayOf: Schema }
  | { mapOf: Schema };

/** A Go struct: its name (for error texts) and its fields by canonical (Go) name. */
export interface Schema {
  readonly goName: string;
  readonly fields: Readonly<Record<string, FieldType>>;
  /** Extra accepted keys (lower-case) mapped to a canonical field, e.g. `args` -> `ScriptArgs`. */
  readonly aliases?: Readonly<Record<string, string>>;
  /** Accept snake_case spellings of multi-word fields (service and check definitions do). */
  readonly snakeCase?: boolean;
}

/** A decoded object: canonical field names to decoded values. Absent or null fields are absent. */
export type Decoded = Record<string, unknown>;

const GO_TYPES: Record<string, string> = {
  string: 'string',
  int: 'int',
  bool: 'bool',
  stringArray: '[]string',
  stringMap: 'map[string]string',
  headerMap: 'map[string][]string',
};

function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

function typeError(value: unknown, path: string, goType: string): DecodeError {
  let kind = jsonKind(value);
  if (kind === 'number' && goType === 'int') kind = `number ${String(value)}`;
  return new DecodeError(`json: cannot unmarshal ${kind} into Go struct field ${path} of type ${goType}`);
}

function lookupField(schema: Schema, key: string): string | undefined {
  if (Object.hasOwn(schema.fields, key)) return key;
  const lower = key.toLowerCase();
  for (const name of Object.keys(schema.fields)) {
    if (name.toLowerCase() === lower) return name;
  }
  const alias = schema.aliases?.[lower];
  if (alias !== undefined) return alias;
  if (schema.snakeCase === true && lower.includes('_')) {
    const squashed = lower.replaceAll('_', '');
    for (const name of Object.keys(schema.fields)) {
      if (name.toLowerCase() === squashed) return name;
    }
    const squashedAlias = schema.aliases?.[squashed];
    if (squashedAlias !== undefined) return squashedAlias;
  }
  return undefined;
}

function decodeField(type: FieldType, value: unknown, path: string): unknown {
  if (value === null) return undefined;
  if (typeof type === 'object') {
    if ('object' in type) return decodeObject(type.object, value, path);
    if ('arrayOf' in type) {
      if (!Array.isArray(value)) throw typeError(value, path, `[]${type.arrayOf.goName}`);
      return value.map((item) => (item === null ? {} : decodeObject(type.arrayOf, item, path)));
    }
    if (typeof value !== 'object' || Array.isArray(value)) throw typeError(value, path, `map[string]${type.mapOf.goName}`);
    const out: Record<string, Decoded> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = v === null ? {} : decodeObject(type.mapOf, v, path);
    }
    return out;
  }
  switch (type) {
    case 'any':
      return value;
    case 'string':
      if (typeof value !== 'string') throw typeError(value, path, 'string');
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(value, path, 'int');
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw typeError(value, path, 'bool');
      return value;
    case 'stringArray':
      if (!Array.isArray(value)) throw typeError(value, path, GO_TYPES[type] ?? type);
      return value.map((item) => {
        if (item === null) return '';
        if (typeof item !== 'string') throw typeError(item, path, 'string');
        return item;
      });
    case 'stringMap':
      if (typeof value !== 'object' || Array.isArray(value)) throw typeError(value, path, GO_TYPES[type] ?? type);
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => {
          if (v !== null && typeof v !== 'string') throw typeError(v, path, 'string');
          return [k, v ?? ''];
        }),
      );
    case 'headerMap':
      if (typeof value !== 'object' || Array.isArray(value)) throw typeError(value, path, GO_TYPES[type] ?? type);
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => {
          if (v === null) return [k, []];
          if (!Array.isArray(v)) throw typeError(v, path, '[]string');
          return [k, v.map((item) => {
            if (typeof item !== 'string') throw typeError(item, path, 'string');
            return item;
          })];
        }),
      );
    case 'duration':
      // CheckType.UnmarshalJSON: strings go through time.ParseDuration, numbers are nanoseconds, anything else is ignored.
      if (typeof value === 'string') {
        try {
          return parseGoDuration(value);
        } catch (error) {
          throw new DecodeError((error as Error).message);
        }
      }
      if (typeof value === 'number') return Math.trunc(value);
      return undefined;
  }
}

function decodeObject(schema: Schema, value: unknown, path: string): Decoded {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DecodeError(`json: cannot unmarshal ${jsonKind(value)} into Go ${path === '' ? 'value' : 'struct field ' + path} of type ${path === '' ? 'structs.' : ''}${schema.goName}`);
  }
  const out: Decoded = {};
  const structName = path === '' ? schema.goName : path;
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    const field = lookupField(schema, key);
    if (field === undefined) throw new DecodeError(`json: unknown field ${JSON.stringify(key)}`);
    const type = schema.fields[field] as FieldType;
    const decoded = decodeField(type, raw, `${structName}.${field}`);
    if (decoded !== undefined) out[field] = decoded;
  }
  return out;
}

/** Go-like message for a JSON syntax error reported by `JSON.parse`. */
function syntaxMessage(text: string, error: unknown): string {
  if (text.trim() === '') return 'EOF';
  const message = (error as Error).message;
  if (/end of (JSON )?input|Unterminated/i.test(message)) return 'unexpected EOF';
  const match = /position (\d+)/.exec(message);
  const position = match ? Number(match[1]) : 0;
  const ch = text[position];
  if (ch === undefined) return 'unexpected EOF';
  return `invalid character ${JSON.stringify(ch).replace(/^"|"$/g, "'")} looking for beginning of value`;
}

/**
 * Decodes `text` as one JSON value of struct `schema`.
 * @throws DecodeError with a Go-style message (`EOF`, `json: unknown field "X"`, `time: unknown unit ...`).
 */
export function decodeJson(text: string, schema: Schema): Decoded {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // Go's json.Decoder reads one value and leaves whatever follows it alone.
    const trailing = /non-whitespace character after JSON at position (\d+)/.exec((error as Error).message);
    if (trailing === null) throw new DecodeError(syntaxMessage(text, error));
    try {
      parsed = JSON.parse(text.slice(0, Number(trailing[1])));
    } catch (inner) {
      throw new DecodeError(syntaxMessage(text, inner));
    }
  }
  if (parsed === null) return {};
  return decodeObject(schema, parsed, '');
}

const CHECK_TYPE_FIELDS: Record<string, FieldType> = {
  CheckID: 'string',
  Name: 'string',
  Status: 'string',
  Notes: 'string',
  ScriptArgs: 'stringArray',
  HTTP: 'string',
  Header: 'headerMap',
  Method: 'string',
  Body: 'string',
  DisableRedirects: 'bool',
  TCP: 'string',
  TCPUseTLS: 'bool',
  UDP: 'string',
  Interval: 'duration',
  AliasNode: 'string',
  AliasService: 'string',
  DockerContainerID: 'string',
  Shell: 'string',
  H2PING: 'string',
  H2PingUseTLS: 'bool',
  GRPC: 'string',
  GRPCUseTLS: 'bool',
  OSService: 'string',
  TLSServerName: 'string',
  TLSSkipVerify: 'bool',
  Timeout: 'duration',
  TTL: 'duration',
  SuccessBeforePassing: 'int',
  FailuresBeforeWarning: 'int',
  FailuresBeforeCritical: 'int',
  ProxyHTTP: 'string',
  ProxyGRPC: 'string',
  DeregisterCriticalServiceAfter: 'duration',
  OutputMaxSize: 'int',
};

/** `structs.CheckType`: a check inside a service definition (`Check` / `Checks[]`). */
export const CHECK_TYPE_SCHEMA: Schema = {
  goName: 'CheckType',
  fields: CHECK_TYPE_FIELDS,
  aliases: { args: 'ScriptArgs' },
  snakeCase: true,
};

/** `structs.CheckDefinition`: the body of `PUT /v1/agent/check/register`. */
export const CHECK_DEFINITION_SCHEMA: Schema = {
  goName: 'CheckDefinition',
  fields: { ID: 'string', ServiceID: 'string', Token: 'string', Namespace: 'string', Partition: 'string', ...CHECK_TYPE_FIELDS },
  aliases: { args: 'ScriptArgs', checkid: 'ID' },
  snakeCase: true,
};

const TAGGED_ADDRESS_SCHEMA: Schema = { goName: 'ServiceAddress', fields: { Address: 'string', Port: 'int' } };
const WEIGHTS_SCHEMA: Schema = { goName: 'Weights', fields: { Passing: 'int', Warning: 'int' } };

/** `structs.ServiceDefinition`: the body of `PUT /v1/agent/service/register`. */
export const SERVICE_DEFINITION_SCHEMA: Schema = {
  goName: 'ServiceDefinition',
  fields: {
    Kind: 'string',
    ID: 'string',
    Name: 'string',
    Tags: 'stringArray',
    Address: 'string',
    TaggedAddresses: { mapOf: TAGGED_ADDRESS_SCHEMA },
    Meta: 'stringMap',
    Port: 'int',
    SocketPath: 'string',
    Check: { object: CHECK_TYPE_SCHEMA },
    Checks: { arrayOf: CHECK_TYPE_SCHEMA },
    Weights: { object: WEIGHTS_SCHEMA },
    Token: 'string',
    EnableTagOverride: 'bool',
    Proxy: 'any',
    Connect: 'any',
    Locality: 'any',
    Namespace: 'string',
    Partition: 'string',
  },
  snakeCase: true,
};

/** `checkUpdate`: the body of `PUT /v1/agent/check/update/:id`. */
export const CHECK_UPDATE_SCHEMA: Schema = {
  goName: 'checkUpdate',
  fields: { Status: 'string', Output: 'string' },
};
