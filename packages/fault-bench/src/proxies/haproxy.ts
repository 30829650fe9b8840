/**
 * HAProxy in front of the instances, configured as issue 8 says: round-robin, an HTTP check of
 * `/health` every 1 s (250 ms while a server changes state), `rise 2 fall 2`, layer-7 observation that
 * marks a server down on its first error, 1 s timeouts, `retries 2` with redispatch on connection
 * failures, empty responses, response timeouts and 502/503/504, one thread.
 *
 * `haproxy-tuned` adds HAProxy's overload settings (issue 17): `maxconn` on every server line, so that a server
 * never has more requests than that in flight and the rest wait in HAProxy's queue, where `timeout queue` answers
 * them 503 after a while (its configuration manual; the numbers and why: config.ts).
 *
 * HAProxy logs one line per request with its last server and the number of retries (`%rc`), not every
 * server it tried: an attempt that failed before a redispatch is attributed to the faulty instance
 * (`inferred`), the only one that fails in these scenarios.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort } from 'server-ports';
import { startProcess, type ManagedProcess } from 'process-supervisor';
import type { Capacity } from '../capacity.js';
import { ATTEMPT_TIMEOUT_MS, HAPROXY_MAXCONN_UNLIMITED, HAPROXY_QUEUE_TIMEOUT_MS, STOP_TIMEOUT_MS } from '../config.js';
import { waitForListening } from '../ports.js';
import type { Attempt } from '../records.js';
import type { RunProxy } from './proxy.js';

/** HAProxy's overload settings (`haproxy-tuned`): `maxconn` on every server line, and `timeout queue`. */
export interface QueueSettings {
  readonly maxconn: number;
  /** ms */
  readonly queueTimeoutMs: number;
}

/** The settings for instances of `capacity` (undefined: no limit): their concurrency where they have one (config.ts says why). */
export function queueSettings(capacity: Capacity | undefined): QueueSettings {
  const maxconn = capacity && Number.isFinite(capacity.concurrency) ? capacity.concurrency : HAPROXY_MAXCONN_UNLIMITED;
  return { maxconn, queueTimeoutMs: HAPROXY_QUEUE_TIMEOUT_MS };
}

/** global, defaults and the frontend (without its backend rule): the same for fault and deploy runs. */
function commonConfig(port: number, extraGlobal = ''): string {
  const seconds = `${ATTEMPT_TIMEOUT_MS / 1000}s`;
  return `global
  nbthread 1
  maxconn 8192
  log stdout format raw local0
${extraGlobal}
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
`;
}

/**
 * A backend: round-robin, health checks and layer-7 observation; `servers` are its `server` lines' ends; with
 * `queue`, a `maxconn` on every server and the backend's `timeout queue`.
 */
function backend(name: string, servers: readonly string[], queue?: QueueSettings): string {
  return `
backend ${name}
  balance roundrobin
  option httpchk GET /health
${queue ? `  timeout queue ${queue.queueTimeoutMs}ms\n` : ''}\
  default-server inter 1s fastinter 250ms downinter 1s rise 2 fall 2 observe layer7 error-limit 1 on-error mark-down${queue ? ` maxconn ${queue.maxconn}` : ''}
${servers.map((line) => `  server ${line}`).join('\n')}
`;
}

export function haproxyConfig(port: number, upstreams: readonly number[], queue?: QueueSettings): string {
  return `${commonConfig(port)}  default_backend instances
${backend('instances', upstreams.map((p) => `p${p} 127.0.0.1:${p} check`), queue)}`;
}

/** Server slots of the deploy backend `blue`: the serving instances, then empty slots a roll fills. */
export const DEPLOY_SLOTS = 6;

/**
 * The deploy runs' configuration, with the runtime API on `socket` (admin level). Backend `blue` holds the
 * serving instances in slots s1…, the other slots disabled for a roll to fill (`set server … addr`, `state
 * ready`); backend `green` holds the cut-over's standby instances. The frontend picks the backend named by
 * key `active` of the map file `map` (`set map` flips it atomically), blue when absent.
 */
export function haproxyDeployConfig(port: number, socket: string, map: string, serving: readonly number[], standby: readonly number[]): string {
  const slots = Array.from({ length: Math.max(DEPLOY_SLOTS, serving.length) }, (_, i) =>
    i < serving.length ? `s${i + 1} 127.0.0.1:${serving[i]} check` : `s${i + 1} 127.0.0.1:1 check disabled`);
  return `${commonConfig(port, `  stats socket ${socket} mode 600 level admin\n`)}  use_backend %[str(active),map(${map},blue)]
  default_backend blue
${backend('blue', slots)}${standby.length ? backend('green', standby.map((p, i) => `g${i + 1} 127.0.0.1:${p} check`)) : ''}`;
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

/** Starts HAProxy on `config` (written to `dir`) in the foreground and waits until `port` accepts connections. */
async function launch(binary: string, dir: string, port: number, config: string): Promise<ManagedProcess> {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'haproxy.cfg');
  writeFileSync(file, config);
  const managed = startProcess({ name: 'haproxy', command: binary, args: ['-db', '-f', file], stopTimeoutMs: STOP_TIMEOUT_MS });
  await waitForListening(port);
  return managed;
}

export async function startHaproxy(binary: string, dir: string, upstreams: readonly number[], faultyPort: number, queue?: QueueSettings): Promise<RunProxy> {
  const port = await freePort();
  const managed = await launch(binary, dir, port, haproxyConfig(port, upstreams, queue));
  let startEpochMs = 0;
  return {
    name: 'haproxy',
    url: `http://127.0.0.1:${port}`,
    pid: managed.pid,
    startEpoch: (ms) => (startEpochMs = ms),
    async stop() {
      await managed.stop();
      return parseHaproxyLog(managed.output(), startEpochMs, faultyPort);
    },
  };
}

/** HAProxy as the deploy runs drive it: through its runtime API (a Unix socket, admin level). */
export interface RuntimeHaproxy extends RunProxy {
  /** One runtime API command (or several separated by `;`); resolves with HAProxy's answer. */
  command(line: string): Promise<string>;
  /** The map file the frontend reads the active backend from (`set map <it> active green`). */
  readonly map: string;
}

export async function startHaproxyForDeploys(binary: string, dir: string, serving: readonly number[], standby: readonly number[]): Promise<RuntimeHaproxy> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const socket = path.join(dir, 'admin.sock');
  const map = path.join(dir, 'active.map');
  writeFileSync(map, 'active blue\n');
  const managed = await launch(binary, dir, port, haproxyDeployConfig(port, socket, map, serving, standby));
  let startEpochMs = 0;
  return {
    name: 'haproxy',
    url: `http://127.0.0.1:${port}`,
    pid: managed.pid,
    map,
    startEpoch: (ms) => (startEpochMs = ms),
    command: (line) => runtimeCommand(socket, line),
    async stop() {
      await managed.stop();
      return parseHaproxyLog(managed.output(), startEpochMs, 0);
    },
  };
}

/** Sends `line` to the runtime API at `socket` (one connection per command, as `socat` does) and reads the answer. */
export function runtimeCommand(socket: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const connection = net.createConnection(socket);
    connection.setEncoding('utf8');
    connection.setTimeout(5000, () => connection.destroy(new Error(`HAProxy's runtime API did not answer "${line}" within 5 s`)));
    connection.on('data', (chunk: string) => (answer += chunk));
    connection.on('error', reject);
    connection.on('close', () => resolve(answer));
    connection.end(`${line}\n`);
  });
}

/** One server as `show servers state <backend>` lists it. */
export interface ServerState {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** 0 stopped (down), 1 starting, 2 running (up), 3 stopping. */
  readonly operational: number;
  /** Bit field: 0x01 maintenance (forced), 0x08 drain (forced), … */
  readonly administrative: number;
}

/** Parses `show servers state` (format version 1: a version line, a `#` header naming the columns, one line per server). */
export function parseServersState(text: string): ServerState[] {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const header = lines.find((l) => l.startsWith('#'))?.slice(1).trim().split(/\s+/) ?? [];
  const column = (name: string): number => header.indexOf(name);
  const [nameAt, addrAt, portAt, opAt, adminAt] = ['srv_name', 'srv_addr', 'srv_port', 'srv_op_state', 'srv_admin_state'].map(column);
  if ([nameAt, addrAt, portAt, opAt, adminAt].some((i) => i === undefined || i < 0)) throw new Error(`unexpected show servers state output: ${text.slice(0, 300)}`);
  return lines.filter((l) => !l.startsWith('#') && /\s/.test(l)).map((l) => {
    const f = l.split(/\s+/);
    return { name: f[nameAt!]!, address: f[addrAt!]!, port: Number(f[portAt!]), operational: Number(f[opAt!]), administrative: Number(f[adminAt!]) };
  });
}

/** Current sessions (`scur`) of each server of `backend`, from `show stat` (CSV). */
export function parseSessions(csv: string, backend: string): Map<string, number> {
  const lines = csv.split('\n').filter(Boolean);
  const header = (lines[0] ?? '').replace(/^#\s*/, '').split(',');
  const [px, sv, scur] = ['pxname', 'svname', 'scur'].map((name) => header.indexOf(name));
  const sessions = new Map<string, number>();
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    if (f[px!] === backend && f[sv!] !== 'BACKEND' && f[sv!] !== 'FRONTEND') sessions.set(f[sv!]!, Number(f[scur!]));
  }
  return sessions;
}
