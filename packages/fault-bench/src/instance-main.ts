/**
 * One benchmark instance: a small node:http server answering a ratings-like JSON body that names it, with
 * its port in the `x-instance` header too, and `GET /health`. `PORT` (default 0) picks the port; it prints
 * `listening on port <n>`.
 *
 * `POST /control` with `{"delayMs": 200}` slows every answer (health included) from then on;
 * `{"failEvery": 2}` answers 503 to one request in two (health excluded: a half-failing instance whose
 * check still passes). The harness pauses and kills it with signals.
 */
import http from 'node:http';

let delayMs = 0;
let failEvery = 0;
let served = 0;
let port = 0;

function answer(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-instance': String(port) });
  res.end(body);
}

function control(req: http.IncomingMessage, res: http.ServerResponse): void {
  let text = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (text += chunk));
  req.on('end', () => {
    try {
      const body = JSON.parse(text || '{}') as { delayMs?: unknown; failEvery?: unknown };
      if (body.delayMs !== undefined) delayMs = Number(body.delayMs) || 0;
      if (body.failEvery !== undefined) failEvery = Number(body.failEvery) || 0;
      answer(res, 200, JSON.stringify({ delayMs, failEvery, served }));
    } catch {
      answer(res, 400, JSON.stringify({ message: 'control body must be JSON: {"delayMs": n} or {"failEvery": n}' }));
    }
  });
}

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/control') return control(req, res);
  const isHealth = req.url === '/health';
  const respond = (): void => {
    if (isHealth) return answer(res, 200, JSON.stringify({ status: 'passing', instance: port }));
    served++;
    if (failEvery > 0 && served % failEvery === 0) return answer(res, 503, JSON.stringify({ message: 'unavailable', instance: port }));
    answer(res, 200, JSON.stringify({ thing: 'camera', rating: 4, instance: port }));
  };
  if (delayMs > 0) setTimeout(respond, delayMs);
  else respond();
});
server.keepAliveTimeout = 60_000;

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  port = (server.address() as { port: number }).port;
  process.stdout.write(`listening on port ${port}\n`);
});

for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
