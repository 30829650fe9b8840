/** Malformed and hostile requests for the negative tests: none of them may get a 5xx. */

export interface BogusRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface BogusReport {
  sent: number;
  statuses: Record<string, number>;
  serverErrors: Array<{ request: string; status: number; body: string }>;
  networkErrors: number;
}

const PATHS = [
  '/posts', '/posts/1', '/posts/hot', '/posts/0', '/posts/-1', '/posts/abc', '/posts/1.5', '/posts/%00', '/posts/%ZZ',
  '/votes/1/users/alice', '/votes/top', '/votes/sort', '/votes/1', '/votes/1/users/%F0%9F%92%A9',
  '/users', '/users/alice', '/users/alice/karma', '/users/alice/deactivate', '/users/..%2F..%2Fetc',
  '/messages', '/messages/1', '/messages/1/favorite', `/posts/${'9'.repeat(40)}`, `/users/${'a'.repeat(300)}`,
];
const QUERIES = ['', '?n=-1', '?n=abc', '?n=1&n=2', '?community=%00', '?ids=', '?ids=1,,2', '?to=', `?ids=${'1,'.repeat(2000)}1`, '?__proto__=1', '?n[]=1'];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const BODIES = [
  '', '{', '}', 'null', 'true', '42', '"string"', '[]', '[{}]', '{"title":}', "{'single':'quotes'}", '{"a":1,}',
  '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', '{"title":null,"community":null,"username":null}',
  '{"title":["x"],"community":{"$gt":""},"username":1e309}', '{"delta":9007199254740993}', '{"delta":"1; DROP TABLE users"}',
  '{"username":"alice\'; DROP TABLE users;--","email":"x@y.z"}', '{"direction":"up","community":"general","extra":1}',
  '{"contents":"\\u0000\\u0000","from":"alice","to":"bob"}', `{"title":"${'x'.repeat(5000)}"}`, '\u0000\u0001\u0002', '\ud800',
  `{"title":"${'x'.repeat(70 * 1024)}"}`, `${'['.repeat(5000)}${']'.repeat(5000)}`, `{"a":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`,
];
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'application/merge-patch+json', ''];

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** A deterministic pseudo-random generator, so a failing request can be reproduced. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export function bogusRequests(count: number, seed = 1): BogusRequest[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const method = pick(METHODS, random);
    const contentType = pick(CONTENT_TYPES, random);
    const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
    // fetch refuses a body on GET; DELETE sometimes carries one.
    const body = method === 'GET' ? undefined : method === 'DELETE' ? (random() < 0.2 ? pick(BODIES, random) : undefined) : pick(BODIES, random);
    return { method, path: `${pick(PATHS, random)}${pick(QUERIES, random)}`, headers, body };
  });
}

/** Sends the requests with `concurrency` in flight and reports the statuses. */
export async function sendBogus(baseUrl: string, requests: readonly BogusRequest[], concurrency = 20): Promise<BogusReport> {
  const report: BogusReport = { sent: 0, statuses: {}, serverErrors: [], networkErrors: 0 };
  let next = 0;
  async function worker(): Promise<void> {
    while (next < requests.length) {
      const request = requests[next++] as BogusRequest;
      report.sent += 1;
      try {
        const response = await fetch(`${baseUrl}${request.path}`, {
          method: request.method,
          headers: request.headers,
          body: request.body,
          signal: AbortSignal.timeout(10_000),
        });
        const text = await response.text();
        report.statuses[response.status] = (report.statuses[response.status] ?? 0) + 1;
        if (response.status >= 500) {
          report.serverErrors.push({ request: `${request.method} ${request.path} ${(request.body ?? '').slice(0, 80)}`, status: response.status, body: text.slice(0, 200) });
        }
      } catch {
        report.networkErrors += 1;
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  return report;
}
