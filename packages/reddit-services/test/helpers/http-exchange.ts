import http from 'node:http';

/** An answer as it came over the wire: every header (lower-case names, repeated ones in order), the body as bytes read. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string[]>;
  body: string;
}

export interface HttpExchange {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * One request on a connection of its own, any method (`PROPFIND` included, which fetch refuses), read as the
 * client gets it: no header merged or dropped, the body as sent (none for HEAD).
 */
export function exchange(baseUrl: string, request: HttpExchange): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(new URL(request.path, baseUrl), { method: request.method, headers: request.headers, agent: false }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', reject);
      incoming.on('end', () => {
        const headers: Record<string, string[]> = {};
        for (let i = 0; i < incoming.rawHeaders.length; i += 2) {
          const name = (incoming.rawHeaders[i] ?? '').toLowerCase();
          (headers[name] ??= []).push(incoming.rawHeaders[i + 1] ?? '');
        }
        resolve({ status: incoming.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}
