/** Test helpers: start dev-consul on port 0 and talk to it over raw HTTP. */
import Consul from 'consul';
import { startDevConsul } from '../src/index.js';
import type { DevConsulHandle, DevConsulOptions } from '../src/index.js';

export type { DevConsulHandle };

/** Starts a quiet dev-consul on a free port. */
export function start(options: DevConsulOptions = {}): Promise<DevConsulHandle> {
  return startDevConsul({ port: 0, host: '127.0.0.1', logLevel: 'warn', node: 'test-node', ...options });
}

/** An answer read in full. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json<T = unknown>(): T;
}

/** Sends one request and reads the whole answer. */
export async function call(
  consul: DevConsulHandle,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = typeof body === 'string' || Buffer.isBuffer(body) ? (body as string) : JSON.stringify(body);
  const res = await fetch(`${consul.url}${path}`, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: <T>() => JSON.parse(text) as T };
}

/** PUT /v1/agent/service/register and expect 200. */
export async function register(consul: DevConsulHandle, definition: Record<string, unknown>, query = ''): Promise<void> {
  const res = await call(consul, 'PUT', `/v1/agent/service/register${query}`, definition);
  if (res.status !== 200) throw new Error(`register failed: ${res.status} ${res.text}`);
}

/** The node-consul (official npm `consul` v2) client for a handle. */
export function client(consul: DevConsulHandle, token?: string): Consul {
  return new Consul({ host: '127.0.0.1', port: consul.port, ...(token ? { defaults: { token } } : {}) });
}

/** Health entries as returned by /v1/health/service. */
export interface Entry {
  Node: { Node: string; Address: string };
  Service: { ID: string; Service: string; Tags: string[]; Address: string; Port: number; Meta: Record<string, string> | null; TaggedAddresses?: Record<string, { Address: string; Port: number }>; Weights: { Passing: number; Warning: number } };
  Checks: Array<{ CheckID: string; Name: string; Status: string; Output: string; Type: string; ServiceID: string; ServiceTags: string[]; Notes: string }>;
}

/** GET /v1/health/service/:name with an optional query string; returns entries and index. */
export async function health(consul: DevConsulHandle, name: string, query = ''): Promise<{ entries: Entry[]; index: number; answer: Answer }> {
  const answer = await call(consul, 'GET', `/v1/health/service/${name}${query}`);
  if (answer.status !== 200) throw new Error(`health failed: ${answer.status} ${answer.text}`);
  return { entries: answer.json<Entry[]>(), index: Number(answer.headers.get('x-consul-index')), answer };
}
