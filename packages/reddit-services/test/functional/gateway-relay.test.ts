/**
 * The gateway relays answers faithfully (issue 19): a client cannot tell whether it talks to the gateway or to
 * an instance. Two identical stacks on fresh SQLite files get the same sequence of requests, one straight to
 * the instances, the other through the gateway (the real discovery client, a static instance list), and every
 * answer must be the same as a whole: status, every end-to-end header, body. The requests are made from
 * openapi.yaml, so a new route is covered without touching this file: every operation with a valid request and
 * with bad input, HEAD for every GET, OPTIONS, a method the path does not have (405 with Allow), one the gateway
 * cannot relay (`PROPFIND`: the gateway answers the instance's 405 itself), then a database failure (5xx).
 *
 * Allowed differences, as openapi.yaml documents them: `Date`, the hop-by-hop headers (RFC 9110 §7.6.1), the
 * gateway's `X-Served-By`, which every relayed answer carries, and no `X-Instance-Id` on the gateway's own answers.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startApp } from '../helpers/apps.js';
import type { ServiceName, TestApp } from '../helpers/apps.js';
import { startStaticGateway } from '../helpers/static-gateway.js';
import type { StaticGateway } from '../helpers/static-gateway.js';
import { exchange } from '../helpers/http-exchange.js';
import type { HttpAnswer, HttpExchange } from '../helpers/http-exchange.js';
import { HTTP_METHODS, loadSpec } from '../helpers/spec.js';
import { resolveRef } from '../../src/shared/openapi.js';
import { createStorage } from '../../scripts/lib/storage.js';
import type { Storage } from '../../scripts/lib/storage.js';

const SERVICES = ['posts', 'votes', 'users', 'messages'] as const satisfies readonly ServiceName[];

/** Values for path and required query parameters the document gives no example of. */
const SAMPLE_VALUES: Record<string, string> = { id: '1', postId: '1', username: 'alice', to: 'alice' };

/** Valid bodies, by operation; an operation without one is sent without a body. */
const SAMPLE_BODIES: Record<string, unknown> = {
  'POST /users': { username: 'alice', email: 'alice@example.com' },
  'PATCH /users/{username}': { email: 'alice.new@example.com' },
  'POST /users/{username}/karma': { delta: 5 },
  'POST /posts': { title: 'relayed', community: 'general', username: 'alice' },
  'PUT /votes/{postId}/users/{username}': { direction: 'up', community: 'general' },
  'POST /messages': { from: 'bob', to: 'alice', contents: 'hello' },
};

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1), which a proxy does not relay, and `Date`, which may differ. Written here
 * from the RFC rather than imported from the gateway: the test is the oracle of the gateway's list.
 */
const NOT_END_TO_END = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'transfer-encoding', 'upgrade', 'proxy-authenticate', 'proxy-authorization', 'trailer', 'date']);

interface RelayCase {
  label: string;
  request: HttpExchange;
  /** The gateway answers it itself (no instance is asked): the instance's answer without `X-Instance-Id`, no `X-Served-By`. */
  gatewayAnswers?: true;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** Every request of the comparison, in the order sent: valid ones first (deletions last), then bad input. */
function relayCases(): RelayCase[] {
  const spec = loadSpec();
  const valid: RelayCase[] = [];
  const deletions: RelayCase[] = [];
  const bad: RelayCase[] = [];
  const add = (list: RelayCase[], label: string, request: HttpExchange): void => {
    list.push({ label, request });
    if (request.method === 'GET') list.push({ label: `HEAD ${label.slice('GET '.length)}`, request: { ...request, method: 'HEAD' } });
  };
  for (const [template, item] of Object.entries(spec.paths)) {
    const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => SAMPLE_VALUES[name] ?? 'x');
    for (const method of HTTP_METHODS) {
      const operation = item[method] as { parameters?: Array<Record<string, unknown>> } | undefined;
      if (!operation) continue;
      const key = `${method.toUpperCase()} ${template}`;
      const query = new URLSearchParams();
      for (const parameter of (operation.parameters ?? []).map((p) => resolveRef(spec, p))) {
        if (parameter.in === 'query' && parameter.required === true) query.set(String(parameter.name), String(parameter.example ?? SAMPLE_VALUES[String(parameter.name)] ?? 'x'));
      }
      const target = query.size > 0 ? `${path}?${query}` : path;
      const sample = SAMPLE_BODIES[key];
      const request: HttpExchange = { method: method.toUpperCase(), path: target, ...(sample === undefined ? {} : { headers: JSON_HEADERS, body: JSON.stringify(sample) }) };
      add(method === 'delete' ? deletions : valid, key, request);
      add(bad, `${key} with an unknown query parameter`, { ...request, path: `${target}${query.size > 0 ? '&' : '?'}unexpected=1` });
      if (sample !== undefined) {
        bad.push({ label: `${key} with malformed JSON`, request: { ...request, body: '{"' } });
        bad.push({ label: `${key} in latin1`, request: { ...request, headers: { 'content-type': 'application/json; charset=latin1' } } });
      }
    }
    bad.push({ label: `OPTIONS ${template}`, request: { method: 'OPTIONS', path } });
    for (const method of HTTP_METHODS.filter((m) => !item[m])) bad.push({ label: `${method.toUpperCase()} ${template} (not declared)`, request: { method: method.toUpperCase(), path } });
    bad.push({ label: `PROPFIND ${template} (a method the gateway cannot relay)`, request: { method: 'PROPFIND', path }, gatewayAnswers: true });
  }
  add(bad, 'GET an unknown route', { method: 'GET', path: '/votes/1/comments' });
  bad.push({ label: 'PROPFIND an unknown route', request: { method: 'PROPFIND', path: '/votes/1/comments' }, gatewayAnswers: true });
  return [...valid, ...deletions, ...bad];
}

/** An answer as a client compares it: end-to-end headers only, timestamps of the bodies masked. */
function endToEnd(answer: HttpAnswer): HttpAnswer {
  const connection = new Set((answer.headers.connection ?? []).flatMap((value) => value.split(',').map((name) => name.trim().toLowerCase())));
  const headers = Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !NOT_END_TO_END.has(name) && !connection.has(name) && name !== 'x-served-by'));
  // ISO timestamps (createdAt...) are fixed-length: masking them changes no Content-Length.
  return { status: answer.status, headers, body: answer.body.replace(/"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"/g, '"<time>"') };
}

interface Stack {
  storage: Storage;
  apps: Record<ServiceName, TestApp>;
}

async function startStack(): Promise<Stack> {
  const storage = await createStorage('sqlite');
  const apps: Partial<Record<ServiceName, TestApp>> = {};
  for (const service of SERVICES) apps[service] = await startApp(service, storage);
  return { storage, apps: apps as Record<ServiceName, TestApp> };
}

async function stopStack(stack: Stack | undefined): Promise<void> {
  if (!stack) return;
  for (const app of Object.values(stack.apps)) await app.close();
  await stack.storage.remove();
}

describe('the gateway relays every answer as the instance gave it', () => {
  let direct: Stack | undefined;
  let relayed: Stack | undefined;
  let gateway: StaticGateway | undefined;

  beforeAll(async () => {
    direct = await startStack();
    relayed = await startStack();
    const apps = relayed.apps;
    const instances = Object.fromEntries(SERVICES.map((service) => [service, [{ id: `${service}-1`, url: apps[service].url }]]));
    gateway = await startStaticGateway(instances as Record<ServiceName, Array<{ id: string; url: string }>>);
  });

  afterAll(async () => {
    await gateway?.close();
    await stopStack(direct);
    await stopStack(relayed);
  });

  /** The same request to the instance of the direct stack and through the gateway to the other stack's instance. */
  async function both(request: HttpExchange): Promise<{ instance: HttpAnswer; gateway: HttpAnswer }> {
    const service = request.path.split(/[/?]/)[1] as ServiceName;
    const instance = await exchange(direct!.apps[service === ('health' as ServiceName) ? 'posts' : service].url, request);
    return { instance, gateway: await exchange(gateway!.url, request) };
  }

  it.each(relayCases().map(({ label, request, gatewayAnswers }) => [label, request, gatewayAnswers === true] as const))('%s', async (_label, request, gatewayAnswers) => {
    // /health is the gateway's own; every other path of the document is relayed.
    if (request.path.split('?')[0] === '/health') return;
    const answers = await both(request);
    const { 'x-instance-id': instanceId, ...others } = answers.instance.headers;
    expect(endToEnd(answers.gateway)).toEqual(endToEnd(gatewayAnswers ? { ...answers.instance, headers: others } : answers.instance));
    expect(instanceId).toHaveLength(1);
    expect(answers.gateway.headers['x-served-by']).toEqual(gatewayAnswers ? undefined : [expect.stringMatching(/^\w+-1 http:\/\//)]);
  });

  it('HEAD answers with the headers of GET, Content-Length included, and no body', async () => {
    const get = await exchange(gateway!.url, { method: 'GET', path: '/posts?n=5' });
    const head = await exchange(gateway!.url, { method: 'HEAD', path: '/posts?n=5' });
    expect(get.body.length).toBeGreaterThan(0);
    expect(endToEnd(head)).toEqual({ ...endToEnd(get), body: '' });
  });

  it.each(['DELETE', 'PROPFIND'])('a method a path does not have (%s): 405 with Allow and a JSON body, never a 5xx', async (method) => {
    const answer = await exchange(gateway!.url, { method, path: '/posts' });
    expect({ status: answer.status, allow: answer.headers.allow, body: JSON.parse(answer.body) as unknown }).toEqual({
      status: 405,
      allow: ['GET, HEAD, OPTIONS, POST'],
      body: { error: `method ${method} not allowed for /posts`, details: { allow: ['GET', 'HEAD', 'OPTIONS', 'POST'] } },
    });
  });

  it('an instance failing (its database closed) answers the same 5xx through the gateway', async () => {
    await direct!.apps.users.database.close();
    await relayed!.apps.users.database.close();
    for (const method of ['GET', 'HEAD']) {
      const answers = await both({ method, path: '/users/alice' });
      expect(answers.instance.status).toBeGreaterThanOrEqual(500);
      expect(endToEnd(answers.gateway)).toEqual(endToEnd(answers.instance));
    }
  });
});
