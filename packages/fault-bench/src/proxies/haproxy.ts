/**
 * HAProxy in front of the instances, configured as issue 8 says: round-robin, an HTTP check of
 * `/health` every 1 s (250 ms while a server changes state), `rise 2 fall 2`, layer-7 observation that
 * marks a server down on its first error, 1 s timeouts, `retries 2` with redispatch on connection
 * failures, empty responses, response timeouts and 502/503/504, one thread.
 *
 * HAProxy logs one line per request with its last server and the number of retries (`%rc`), not every
 * server it tried: an attempt that failed before a redispatch is attributed to the faulty instance
 * (`inferred`), the only one that fails in these scenarios.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ATTEMPT_TIMEOUT_MS } from '../config.js';
import { freePort, waitForListening } from '../ports.js';
import { start, stop } from '../processes.js';
import type { Attempt } from '../records.js';
import type { Proxy } from './proxy.js';

export function haproxyConfig(port: number, upstreams: readonly number[]): string {
  const seconds = `${ATTEMPT_TIMEOUT_MS / 1000}s`;
  return `global
  nbthread 1
  maxconn 8192
  log stdout format raw local0

defaults
  mode http
  log global
  timeout connect ${seconds}
  timeout server ${seconds}
  timeout queue ${seconds}
  timeout check ${seconds}
  timeout client 30s
  timeout http-request 10s
  timeout http-keep-alive 30s
  retries 2
  option redispatch 1
  retry-on conn-failure empty-response response-timeout 502 503 504

frontend bench
  bind 127.0.0.1:${port}
  capture request header X-Request-Id len 24
  log-format "%Ts.%ms %Th %Ti %Ta %Tr %ST %s %rc %tsc %hr"
  default_backend instances

backend instances
  balance roundrobin
  option httpchk GET /health
  default-server inter 1s fastinter 250ms downinter 1s rise 2 fall 2 observe layer7 error-limit 1 on-error mark-down
${upstreams.map((p) => `  server p${p} 127.0.0.1:${p} check`).join('\n')}
`;
}

/**
 * One line per request: `accept.ms Th Ti Ta Tr status server retries termination {rid}`. `accept` is when
 * the connection was accepted (on keep-alive, long before the request): the request started Th + Ti later
 * (handshake, idle). The last attempt went to `server` at start + Ta - Tr (Tr: time waiting for its
 * answer); the `retries` before it are attributed to `faultyPort` at the start.
 */
export function parseHaproxyLog(text: string, startEpochMs: number, faultyPort: number): Attempt[] {
  const attempts: Attempt[] = [];
  const line = /^(\d+)\.(\d+) (-?\d+) (-?\d+) (-?\d+) (-?\d+) (\d+) (\S+) \+?(\d+) (\S+) \{([^}]*)\}/;
  for (const raw of text.split('\n')) {
    const m = line.exec(raw.trim());
    if (!m) continue;
    const rid = Number(m[11]);
    if (m[11] === '' || !Number.isInteger(rid)) continue;
    const started = Number(m[1]) * 1000 + Number(m[2]) + Math.max(0, Number(m[3])) + Math.max(0, Number(m[4])) - startEpochMs;
    const total = Number(m[5]);
    const response = Number(m[6]);
    const status = Number(m[7]);
    const server = /^p(\d+)$/.exec(m[8]!)?.[1];
    const retries = Number(m[9]);
    for (let i = 0; i < retries; i++) attempts.push({ rid, t: started, port: faultyPort, failed: true, inferred: true });
    if (server) {
      const attempt: Attempt = { rid, t: response >= 0 && total >= response ? started + total - response : started, port: Number(server) };
      if (!(status >= 200 && status < 500)) attempt.failed = true;
      attempts.push(attempt);
    }
  }
  return attempts;
}

export async function startHaproxy(binary: string, dir: string, upstreams: readonly number[], faultyPort: number): Promise<Proxy & { startEpoch(ms: number): void }> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const config = path.join(dir, 'haproxy.cfg');
  writeFileSync(config, haproxyConfig(port, upstreams));
  const managed = start('haproxy', binary, ['-db', '-f', config]);
  await waitForListening(port);
  let startEpochMs = 0;
  return {
    name: 'haproxy',
    url: `http://127.0.0.1:${port}`,
    pid: managed.pid,
    startEpoch: (ms) => (startEpochMs = ms),
    async stop() {
      await stop(managed);
      return parseHaproxyLog(managed.output(), startEpochMs, faultyPort);
    },
  };
}
