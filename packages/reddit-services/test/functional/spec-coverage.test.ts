import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SpecChecker } from '../helpers/spec.js';
import { startApp } from '../helpers/apps.js';
import { createStorage, testEngines } from '../../scripts/lib/storage.js';
import type { Storage } from '../../scripts/lib/storage.js';
import type { ServiceName, TestApp } from '../helpers/apps.js';

const SAMPLE_PARAMS: Record<string, string> = { id: '1', postId: '1', username: 'alice' };

describe.each(testEngines())('openapi.yaml on %s', (engine) => {
  const checker = new SpecChecker();
  let storage: Storage;
  const apps = new Map<ServiceName, TestApp>();

  beforeAll(async () => {
    storage = await createStorage(engine);
    for (const service of ['posts', 'votes', 'users', 'messages'] as const) apps.set(service, await startApp(service, storage));
  });

  afterAll(async () => {
    for (const app of apps.values()) await app.close();
    await storage.remove();
  });

  it('declares every operation with a JSON error response for bad input', () => {
    for (const { method, path } of checker.operations()) {
      if (path === '/health') continue;
      const operation = checker.operation(method, path);
      expect(Object.keys(operation?.responses ?? {})).toContain('400');
    }
  });

  it('every operation in the spec is implemented by its service (no route-level 404)', async () => {
    const operations = checker.operations();
    expect(operations.length).toBeGreaterThanOrEqual(20);
    for (const { method, path } of operations) {
      const service = (path.split('/')[1] === 'health' ? 'posts' : path.split('/')[1]) as ServiceName;
      const app = apps.get(service);
      expect(app).toBeDefined();
      const concrete = path.replace(/\{(\w+)\}/g, (_m, name: string) => SAMPLE_PARAMS[name] ?? 'x');
      const response = await fetch(`${app?.url}${concrete}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: ['POST', 'PUT', 'PATCH'].includes(method) ? '{}' : undefined,
      });
      const body = (await response.json()) as { error?: string };
      // A route that exists answers anything but the catch-all "no route" 404.
      expect({ operation: `${method} ${path}`, error: body.error ?? null }).not.toEqual({
        operation: `${method} ${path}`,
        error: expect.stringMatching(/^no route for /),
      });
      checker.check(method, concrete, response.status, response.headers.get('content-type'), body);
    }
  });

  it('services answer an unknown route with a JSON 404 the spec does not list', async () => {
    const response = await fetch(`${apps.get('votes')?.url}/votes/1/comments`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'no route for GET /votes/1/comments' });
    expect(checker.template('/votes/1/comments')).toBeUndefined();
  });
});
