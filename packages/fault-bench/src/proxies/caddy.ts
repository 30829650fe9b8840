/**
 * Caddy 2 (Debian's 2.6) in front of the instances, configured with the budget every contender gets and the
 * settings of its `reverse_proxy` documentation: round-robin; passive health checks (a 5xx, an error or an answer
 * slower than SLOW_MS counts as a failure, and `max_fails 1` within `fail_duration 2s` takes the instance out
 * for 2 s, nginx's `max_fails=1 fail_timeout=2s`); active health checks of `/health` every 1 s (HAProxy's
 * interval); 1 s to connect and 1 s for the answer's headers; one retry (`lb_retries 1`) on another instance
 * within `lb_try_duration` (the whole budget, 2 × 1 s), 10 ms apart (`lb_try_interval`; its default of 250 ms
 * would add a quarter second to every retry, where the other contenders retry at once). Caddy retries a GET
 * after a connection error or a timeout, never after an answer: a 503 goes back to the client (and counts
 * against the instance). No admin endpoint, no automatic HTTPS, one OS thread running Go code
 * (`GOMAXPROCS=1`, as nginx's one worker and HAProxy's `nbthread 1`).
 *
 * Its access log does not name the upstreams a request tried; its reverse proxy's debug log does: one
 * `upstream roundtrip` line per attempt, with the upstream, the duration, the request's headers (our
 * `X-Request-Id`) and the status or the error. The harness keeps that logger only.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from 'server-ports';
import { startProcess } from 'process-supervisor';
import { ATTEMPT_TIMEOUT_MS, SLOW_MS, STOP_TIMEOUT_MS } from '../config.js';
import { waitForListening } from '../ports.js';
import type { Attempt } from '../records.js';
import type { RunProxy } from './proxy.js';

/** The Caddyfile: `dir` holds its log. */
export function caddyConfig(dir: string, port: number, upstreams: readonly number[]): string {
  const budget = `${ATTEMPT_TIMEOUT_MS}ms`;
  return `{
	admin off
	auto_https off
	log {
		output file ${path.join(dir, 'attempts.log')} {
			roll_disabled
		}
		format json
		level DEBUG
		include http.handlers.reverse_proxy
	}
}

http://:${port} {
	bind 127.0.0.1
	reverse_proxy ${upstreams.map((p) => `127.0.0.1:${p}`).join(' ')} {
		lb_policy round_robin
		lb_retries 1
		lb_try_duration ${2 * ATTEMPT_TIMEOUT_MS}ms
		lb_try_interval 10ms

		health_uri /health
		health_interval 1s
		health_timeout ${budget}

		fail_duration 2s
		max_fails 1
		unhealthy_status 5xx
		unhealthy_latency ${SLOW_MS}ms

		transport http {
			dial_timeout ${budget}
			response_header_timeout ${budget}
		}
	}
}
`;
}

interface RoundTrip {
  readonly msg?: string;
  /** epoch s, when the line was written (at the attempt's end) */
  readonly ts?: number;
  readonly upstream?: string;
  /** s */
  readonly duration?: number;
  readonly request?: { readonly headers?: Record<string, string[] | undefined> };
  readonly status?: number;
  readonly error?: string;
}

/**
 * One JSON line per attempt (`upstream roundtrip`): written at its end (`ts`, epoch s), `duration` s after it
 * started. An attempt failed when it got no answer (`error`) or a status outside 2xx–4xx.
 */
export function parseCaddyLog(text: string, startEpochMs: number): Attempt[] {
  const attempts: Attempt[] = [];
  for (const raw of text.split('\n')) {
    if (!raw.includes('"upstream roundtrip"')) continue;
    let line: RoundTrip;
    try {
      line = JSON.parse(raw) as RoundTrip;
    } catch {
      continue;
    }
    const rid = Number(line.request?.headers?.['X-Request-Id']?.[0]);
    const port = Number(/:(\d+)$/.exec(line.upstream ?? '')?.[1]);
    if (line.msg !== 'upstream roundtrip' || !Number.isInteger(rid) || !port || line.ts === undefined) continue;
    const attempt: Attempt = { rid, t: (line.ts - (line.duration ?? 0)) * 1000 - startEpochMs, port };
    if (line.error !== undefined || !(line.status !== undefined && line.status >= 200 && line.status < 500)) attempt.failed = true;
    attempts.push(attempt);
  }
  return attempts;
}

export async function startCaddy(binary: string, dir: string, upstreams: readonly number[]): Promise<RunProxy> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const file = path.join(dir, 'Caddyfile');
  writeFileSync(file, caddyConfig(dir, port, upstreams));
  // its autosaved config and data directory go to the run's temp dir, not the user's home
  const env = { GOMAXPROCS: '1', HOME: dir, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir };
  const managed = startProcess({ name: 'caddy', command: binary, args: ['run', '--config', file, '--adapter', 'caddyfile'], env, stopTimeoutMs: STOP_TIMEOUT_MS });
  await waitForListening(port);
  let startEpochMs = 0;
  return {
    name: 'caddy',
    url: `http://127.0.0.1:${port}`,
    pid: managed.pid,
    startEpoch: (ms) => (startEpochMs = ms),
    async stop() {
      await managed.stop();
      return parseCaddyLog(readFileSync(path.join(dir, 'attempts.log'), 'utf8'), startEpochMs);
    },
  };
}
