/**
 * An HTTP check (`checks.CheckHTTP`): a request every `Interval` (first one after a random stagger);
 * 2xx is passing, 429 warning, anything else or a transport error critical. Redirects are followed
 * unless `DisableRedirects`; keep-alives are off; the output quotes status line and body (max 4 KiB).
 */
import http from 'node:http';
import https from 'node:https';
import type { CheckReporter, CheckRunner } from './check-runner.js';
import { schedulePeriodic, truncateOutput } from './check-runner.js';

/** What the probe sends and how often: the decoded `HTTP*` fields of a check definition. */
export interface HttpProbe {
  url: string;
  method: string;
  header: Record<string, string[]>;
  body: string;
  intervalMs: number;
  timeoutMs: number;
  disableRedirects: boolean;
  tlsSkipVerify: boolean;
  /** SNI and certificate name to expect instead of the URL's host. */
  tlsServerName: string;
}

/** The probe and how much of the answer the output keeps. */
export interface HttpCheckOptions extends HttpProbe {
  outputMaxSize: number;
}

/** Go's client gives up after this many redirects. */
const MAX_REDIRECTS = 10;

interface ProbeAnswer {
  statusCode: number;
  statusMessage: string;
  body: string;
}

function goStatusText(code: number, message: string): string {
  return `${code} ${message || http.STATUS_CODES[code] || ''}`.trim();
}

/** A Go-like transport error text, e.g. `Get "http://x/": dial tcp 127.0.0.1:1: connect: connection refused`. */
function transportError(method: string, url: string, error: NodeJS.ErrnoException, timeoutMs: number): string {
  const verb = method.charAt(0) + method.slice(1).toLowerCase();
  const prefix = `${verb} ${JSON.stringify(url)}`;
  if (error.code === 'ETIMEDOUT_CHECK') return `${prefix}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)`;
  if (error.code === 'ECONNREFUSED') {
    const target = new URL(url);
    const port = target.port || (target.protocol === 'https:' ? '443' : '80');
    return `${prefix}: dial tcp ${target.hostname}:${port}: connect: connection refused`;
  }
  if (error.code === 'ENOTFOUND') return `${prefix}: dial tcp: lookup ${new URL(url).hostname}: no such host`;
  void timeoutMs;
  return `${prefix}: ${error.message}`;
}

export class HttpCheck implements CheckRunner {
  private readonly stopSchedule: () => void;
  private readonly inflight = new Set<http.ClientRequest>();
  private stopped = false;

  constructor(
    private readonly options: HttpCheckOptions,
    private readonly report: CheckReporter,
  ) {
    this.stopSchedule = schedulePeriodic(options.intervalMs, () => this.probe());
  }

  stop(): void {
    this.stopped = true;
    this.stopSchedule();
    for (const req of this.inflight) req.destroy();
    this.inflight.clear();
  }

  private async probe(): Promise<void> {
    const { method, url, timeoutMs, outputMaxSize } = this.options;
    try {
      const answer = await this.request(url, 0, Date.now() + timeoutMs);
      if (this.stopped) return;
      const body = truncateOutput(answer.body, outputMaxSize);
      const output = `HTTP ${method} ${url}: ${goStatusText(answer.statusCode, answer.statusMessage)} Output: ${body}`;
      if (answer.statusCode >= 200 && answer.statusCode <= 299) this.report('passing', output);
      else if (answer.statusCode === 429) this.report('warning', output);
      else this.report('critical', output);
    } catch (error) {
      if (this.stopped) return;
      this.report('critical', transportError(method, url, error as NodeJS.ErrnoException, timeoutMs));
    }
  }

  private request(target: string, redirects: number, deadline: number): Promise<ProbeAnswer> {
    const { method, header, body, disableRedirects, tlsSkipVerify, tlsServerName } = this.options;
    return new Promise<ProbeAnswer>((resolve, reject) => {
      let parsed: URL;
      try {
        parsed = new URL(target);
      } catch (error) {
        reject(error as Error);
        return;
      }
      const lib = parsed.protocol === 'https:' ? https : http;
      const headers: Record<string, string | string[]> = {
        'User-Agent': 'Consul Health Check',
        Accept: 'text/plain, text/*, */*',
        Connection: 'close',
      };
      for (const [name, values] of Object.entries(header)) headers[name] = values;
      const req = lib.request(parsed, {
        method,
        headers,
        agent: false,
        ...(parsed.protocol === 'https:' ? { rejectUnauthorized: !tlsSkipVerify, ...(tlsServerName === '' ? {} : { servername: tlsServerName }) } : {}),
      });
      this.inflight.add(req);
      const remaining = Math.max(1, deadline - Date.now());
      const timer = setTimeout(() => {
        const error = Object.assign(new Error('timeout'), { code: 'ETIMEDOUT_CHECK' });
        req.destroy(error);
      }, remaining);
      timer.unref();
      const done = (): void => {
        clearTimeout(timer);
        this.inflight.delete(req);
      };
      req.on('error', (error) => {
        done();
        reject(error);
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (!disableRedirects && status >= 300 && status < 400 && location !== undefined && redirects < MAX_REDIRECTS) {
          res.resume();
          done();
          this.request(new URL(location, parsed).toString(), redirects + 1, deadline).then(resolve, reject);
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < this.options.outputMaxSize + 1) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () => {
          done();
          resolve({ statusCode: status, statusMessage: res.statusMessage ?? '', body: Buffer.concat(chunks).toString() });
        });
        res.on('error', (error) => {
          done();
          reject(error);
        });
      });
      req.end(body === '' ? undefined : body);
    });
  }
}
