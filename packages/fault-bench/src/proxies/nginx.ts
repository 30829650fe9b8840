/**
 * nginx in front of the instances, configured as issue 8 says: passive health (`max_fails=1
 * fail_timeout=2s`), keep-alive to the upstreams, 1 s connect/send/read timeouts, the next upstream on
 * error, timeout, 502, 503 and 504, at most 2 tries, one worker. Its access log names every upstream a
 * request tried (`$upstream_addr`), with each one's status and time.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import { freePort } from 'server-ports';
import { startProcess, waitFor } from 'process-supervisor';
import { ATTEMPT_TIMEOUT_MS, STOP_TIMEOUT_MS } from '../config.js';
import { waitForListening } from '../ports.js';
import type { Attempt } from '../records.js';
import type { RunProxy } from './proxy.js';

export function nginxConfig(dir: string, port: number, upstreams: readonly number[]): string {
  const seconds = `${ATTEMPT_TIMEOUT_MS / 1000}s`;
  return `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  log_format bench '$msec $request_time $http_x_request_id $status "$upstream_addr" "$upstream_status" "$upstream_response_time"';
  access_log ${dir}/access.log bench;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream instances {
${upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`).join('\n')}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://instances;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_connect_timeout ${seconds};
      proxy_send_timeout ${seconds};
      proxy_read_timeout ${seconds};
      proxy_next_upstream error timeout http_502 http_503 http_504;
      proxy_next_upstream_tries 2;
    }
  }
}
`;
}

/**
 * One access-log line per request: `$msec $request_time rid status "addr, addr" "st, st" "t, t"`. The
 * request started at msec - request_time; each attempt starts when the previous one's time is spent.
 */
export function parseNginxLog(text: string, startEpochMs: number): Attempt[] {
  const attempts: Attempt[] = [];
  const line = /^(\d+\.\d+) (\d+\.\d+) (\S+) (\d+) "([^"]*)" "([^"]*)" "([^"]*)"$/;
  for (const raw of text.split('\n')) {
    const m = line.exec(raw.trim());
    if (!m) continue;
    const rid = Number(m[3]);
    if (!Number.isInteger(rid)) continue;
    const end = Number(m[1]) * 1000 - startEpochMs;
    let t = end - Number(m[2]) * 1000;
    const addrs = m[5]!.split(/,\s*/);
    const statuses = m[6]!.split(/,\s*/);
    const times = m[7]!.split(/,\s*/);
    addrs.forEach((addr, i) => {
      const port = Number(/:(\d+)$/.exec(addr)?.[1]);
      if (port) {
        const status = Number(statuses[i]);
        const attempt: Attempt = { rid, t, port };
        if (!(status >= 200 && status < 500)) attempt.failed = true;
        attempts.push(attempt);
      }
      t += (Number(times[i]) || 0) * 1000;
    });
  }
  return attempts;
}

/** The pids of `pid`'s children (nginx's workers), from /proc. */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** nginx as the deploy runs drive it: the upstream list rewritten, then `nginx -s reload`. */
export interface ReloadableNginx extends RunProxy {
  /**
   * Rewrites the upstream block with `upstreams` and runs `nginx -s reload`; resolves once a worker with the
   * new configuration runs (old workers finish their requests in flight, then exit), rejects after 5 s.
   */
  setUpstreams(upstreams: readonly number[]): Promise<void>;
}

export async function startNginx(binary: string, dir: string, upstreams: readonly number[]): Promise<ReloadableNginx> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const config = path.join(dir, 'nginx.conf');
  writeFileSync(config, nginxConfig(dir, port, upstreams));
  const flags = ['-e', path.join(dir, 'error.log'), '-p', dir, '-c', config];
  const managed = startProcess({ name: 'nginx', command: binary, args: flags, stopTimeoutMs: STOP_TIMEOUT_MS });
  await waitForListening(port);
  let startEpochMs = 0;
  return {
    name: 'nginx',
    url: `http://127.0.0.1:${port}`,
    pid: managed.pid,
    startEpoch: (ms) => (startEpochMs = ms),
    async setUpstreams(list) {
      const before = new Set(childrenOf(managed.pid));
      writeFileSync(config, nginxConfig(dir, port, list));
      await promisify(execFile)(binary, [...flags, '-s', 'reload']);
      await waitFor(() => childrenOf(managed.pid).some((pid) => !before.has(pid)), {
        timeoutMs: 5000, intervalMs: 5, what: 'nginx to start a worker with the new upstreams',
      }).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}; ${readFileSync(path.join(dir, 'error.log'), 'utf8').slice(-2000)}`, { cause: error });
      });
    },
    async stop() {
      await managed.stop();
      return parseNginxLog(readFileSync(path.join(dir, 'access.log'), 'utf8'), startEpochMs);
    },
  };
}
