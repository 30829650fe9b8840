/**
 * One benchmark instance: a small node:http server answering a ratings-like JSON body that names it, with
 * its port in the `x-instance` header too, and `GET /health`. `PORT` (default 0) picks the port; it prints
 * `listening on port <n>`.
 *
 * `POST /control` with `{"delayMs": 200}` slows every answer (health included) from then on;
 * `{"failEvery": 2}` answers 503 to one request in two (health excluded: a half-failing instance whose
 * check still passes); `{"tailEvery": 50, "tailMinMs": 200, "tailMaxMs": 400}` answers one request in 50 late,
 * after a time drawn evenly between the two instead of its service time (health excluded: the `tail`
 * scenario); 0 turns each off. The harness pauses and kills it with signals.
 *
 * `--concurrency N --service-ms M` makes it capacity-limited (capacity.ts): every request but `/health`,
 * `/control` and `/stats` waits its turn in arrival order, at most N in service at once, each M ms; a request
 * whose client went away is still served. `--concurrency 0` (or leaving it out) with `--service-ms M`: no
 * limit, every answer M ms late. `GET /stats` says what it received (arrival times, epoch ms: the harness's
 * clock.ts), served and served to nobody. Without these options it behaves as before.
 */
import http from 'node:http';
import { parseCommandLine, readNumber } from 'cli-kit';
import { listen } from 'server-ports';
import { CapacityQueue } from './capacity.js';
import { now } from './clock.js';

let delayMs = 0;
let failEvery = 0;
let tail = { every: 0, minMs: 0, maxMs: 0 };
let served = 0;
/** Requests of the work path received, to pick the late ones of a tail. */
let received = 0;
let port = 0;

const USAGE = `Usage: node instance-main.js [--concurrency N] [--service-ms M]   (PORT in the environment; 0: any)

A fault-bench instance. With --concurrency and/or --service-ms it is capacity-limited: at most N requests in
service at once, each M ms, the rest queued in arrival order (--concurrency 0: no limit).
`;
const { concurrency, serviceMs } = parseCommandLine(
  { program: 'instance-main', usage: USAGE, options: { concurrency: { type: 'string' }, 'service-ms': { type: 'string' } } },
  ({ values }) => ({
    concurrency: readNumber('--concurrency', values.concurrency, { default: 0, integer: true, min: 0 }),
    serviceMs: readNumber('--service-ms', values['service-ms'], { default: 0, min: 0 }),
  }),
);
const queue = concurrency > 0 || serviceMs > 0 ? new CapacityQueue({ concurrency: concurrency || Infinity, serviceMs }) : undefined;
/** Arrival times (epoch ms) of the requests a queue serves, and how many of them found their client gone. */
const arrivals: number[] = [];
let abandoned = 0;

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
      const body = JSON.parse(text || '{}') as { delayMs?: unknown; failEvery?: unknown; tailEvery?: unknown; tailMinMs?: unknown; tailMaxMs?: unknown };
      if (body.delayMs !== undefined) delayMs = Number(body.delayMs) || 0;
      if (body.failEvery !== undefined) failEvery = Number(body.failEvery) || 0;
      if (body.tailEvery !== undefined) {
        const minMs = Number(body.tailMinMs) || 0;
        tail = { every: Number(body.tailEvery) || 0, minMs, maxMs: Math.max(minMs, Number(body.tailMaxMs) || 0) };
      }
      answer(res, 200, JSON.stringify({ delayMs, failEvery, tail, served }));
    } catch {
      answer(res, 400, JSON.stringify({ message: 'control body must be JSON: {"delayMs": n}, {"failEvery": n} or {"tailEvery": n, "tailMinMs": a, "tailMaxMs": b}' }));
    }
  });
}

function stats(res: http.ServerResponse): void {
  answer(res, 200, JSON.stringify({ arrivals, served, abandoned, maxQueued: queue?.maxQueued ?? 0 }));
}

/** The answer to a request of the work path: a ratings-like body, or 503 one time in `failEvery`. */
function work(res: http.ServerResponse): void {
  served++;
  if (failEvery > 0 && served % failEvery === 0) return answer(res, 503, JSON.stringify({ message: 'unavailable', instance: port }));
  answer(res, 200, JSON.stringify({ thing: 'camera', rating: 4, instance: port }));
}

/** How late this request of the work path answers when it is one of a tail's (ms), else undefined. */
function lateness(): number | undefined {
  received++;
  if (tail.every <= 0 || received % tail.every !== 0) return undefined;
  return tail.minMs + Math.random() * (tail.maxMs - tail.minMs);
}

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/control') return control(req, res);
  if (req.method === 'GET' && req.url === '/stats') return stats(res);
  const isHealth = req.url === '/health';
  const lateMs = isHealth ? undefined : lateness();
  if (queue && !isHealth) {
    arrivals.push(now());
    return queue.submit(() => {
      if (res.destroyed || !res.socket || res.socket.destroyed) abandoned++;
      work(res);
    }, lateMs);
  }
  const respond = (): void => (isHealth ? answer(res, 200, JSON.stringify({ status: 'passing', instance: port })) : work(res));
  const waitMs = lateMs ?? delayMs;
  if (waitMs > 0) setTimeout(respond, waitMs);
  else respond();
});
server.keepAliveTimeout = 60_000;

for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

({ port } = await listen(server, { port: Number(process.env.PORT ?? 0), host: '127.0.0.1' }));
process.stdout.write(`listening on port ${port}\n`);
