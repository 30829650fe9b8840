// `npm run load -- --service ratings [--path /ratings/camera] --rate 1000 --duration 60s [--json FILE]`
// (or `--url URL` for a plain URL): the open-model load client; `--concurrency N` instead of `--rate`: the
// closed loop (N workers, each sending as soon as its last answer came). See packages/deploy/README.md.
import { writeFileSync } from 'node:fs';
import { parseCommandLine, readNumber, readOption, UsageError } from 'cli-kit';
import type { ParsedCommandLine } from 'cli-kit';
import { DiscoveryClient, parseDuration } from 'discovery-client';
import { runLoad, type LoadEvent, type LoadSummary } from './load/load-run.js';
import { defaultPath } from './services.js';

const USAGE = `usage: npm run load -- (--service NAME | --url URL) [--path PATH] [--rate N | --concurrency N] [--duration D] [--json FILE]
  --service NAME    call a service through discovery-client (Consul at CONSUL_HTTP_ADDR; its active color, if any)
  --url URL         call a plain URL instead (http://host:port); --path is appended
  --path PATH       request path (ratings: /ratings/camera; others: /health)
  --rate N          requests per second, on a fixed schedule (open model)      default 100
  --concurrency N   instead of --rate: N workers, each sending its next request as soon as its last one
                    answered (closed loop, as fast as the target allows); reports the rate sustained
  --duration D      how long: 500ms, 40s, 2m                                    default 10s
  --timeout MS      per attempt (retries go to another instance)               default 1000
  --json FILE       also write the summary as JSON (model, total, failed, rps, p50Ms, p99Ms, maxMs, versions, flickerMs)`;

const OPTIONS = {
  service: { type: 'string' }, url: { type: 'string' }, path: { type: 'string' }, rate: { type: 'string' }, concurrency: { type: 'string' },
  duration: { type: 'string' }, timeout: { type: 'string' }, json: { type: 'string' },
} as const;

function read({ values }: ParsedCommandLine<typeof OPTIONS>) {
  if ((values.service === undefined) === (values.url === undefined)) throw new UsageError('give --service NAME or --url URL (one of them)');
  if (values.rate !== undefined && values.concurrency !== undefined) throw new UsageError('give --rate N or --concurrency N, not both');
  const durationMs = readOption('--duration', values.duration, '10s', (v) => parseDuration('--duration', v), 'a duration such as 500ms, 40s or 2m');
  let url: URL | undefined;
  if (values.url !== undefined) {
    try {
      url = new URL(values.url);
    } catch {
      throw new UsageError(`--url must be a URL such as http://127.0.0.1:8001, got "${values.url}"`);
    }
  }
  const service = values.service ?? 'target';
  return {
    service,
    url,
    path: values.path ?? (url && url.pathname !== '/' ? `${url.pathname}${url.search}` : defaultPath(service)),
    load: values.concurrency === undefined
      ? { rate: readNumber('--rate', values.rate, { default: 100, above: 0, max: 100_000 }) }
      : { concurrency: readNumber('--concurrency', values.concurrency, { default: 1, integer: true, min: 1, max: 10_000 }) },
    durationMs,
    timeout: readNumber('--timeout', values.timeout, { default: 1000, above: 0, max: 600_000 }),
    json: values.json,
  };
}

function describe(event: LoadEvent): string {
  const at = `${(('atMs' in event ? event.atMs : event.elapsedMs) / 1000).toFixed(3)} s`;
  switch (event.type) {
    case 'progress': return `${event.total} requests, ${event.failed} failed (${at})`;
    case 'failed': return `FAILED request ${event.index + 1} at ${at}: ${event.message}`;
    case 'version': return event.from === undefined
      ? `version ${event.to} (from ${event.instance}) at ${at}`
      : `VERSION ${event.from} -> ${event.to} (from ${event.instance}) at ${at}`;
  }
}

function printSummary(summary: LoadSummary): void {
  const versions = Object.entries(summary.versions).map(([v, n]) => `${v}: ${n}`).join(', ') || 'none';
  console.log([
    '',
    `total ${summary.total}, failed ${summary.failed}, in ${summary.durationS} s: ${summary.rps} requests/s${summary.model === 'closed' ? ` sustained by ${summary.concurrency} workers (closed loop)` : ''}`,
    `latency p50 ${summary.p50Ms} ms, p99 ${summary.p99Ms} ms, max ${summary.maxMs} ms (from each request's ${summary.model === 'closed' ? 'send' : 'scheduled time'})`,
    `versions seen: ${versions}`,
    `flicker window: ${summary.flickerMs === null ? 'none (one version)' : `${summary.flickerMs} ms (first answer of the new version to the last of the old)`}`,
  ].join('\n'));
}

const options = parseCommandLine({ program: 'load', usage: USAGE, options: OPTIONS }, read);

const discovery = new DiscoveryClient({
  logPicks: false,
  ...(options.url ? { static: { [options.service]: [`${options.url.protocol}//${options.url.host}`] } } : {}),
});
const client = discovery.service(options.service, {
  timeout: options.timeout,
  deadline: options.timeout * 3 + 500,
  // blue/green: only the active color when `discovery/<service>/active` is set (every instance when not)
  ...(options.url ? {} : { color: 'active' }),
});
const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`\n${signal}: stopping; the requests in flight finish first`);
    stop.abort();
  });
}
const how = 'rate' in options.load ? `${options.load.rate} requests/s` : `${options.load.concurrency} workers, closed loop,`;
console.log(`${how} for ${options.durationMs / 1000} s to ${options.url ? options.url.origin : options.service}${options.path}`);
const summary = await runLoad({
  client, path: options.path, ...options.load, durationMs: options.durationMs, signal: stop.signal,
  onEvent: (event) => console.log(describe(event)),
});
printSummary(summary);
if (options.json) writeFileSync(options.json, `${JSON.stringify(summary, null, 2)}\n`);
await discovery.close();
process.exit(summary.failed === 0 ? 0 : 1);
