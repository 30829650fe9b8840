/**
 * The `dev-consul` bin as a real child process: startup line, change log lines, flags, errors, signals.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from 'process-supervisor';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/dev-consul.js');

interface Running {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const children: Running[] = [];
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const r of children.splice(0)) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function run(args: string[]): Running {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: 'pipe' });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const running = { child, stdout: () => out, stderr: () => err, exited };
  children.push(running);
  return running;
}

async function listening(r: Running): Promise<string> {
  await waitFor(() => /listening on (http:\/\/\S+)/.test(r.stdout()) || r.child.exitCode !== null, { timeoutMs: 10_000, what: 'startup line' });
  const match = /dev-consul listening on (http:\/\/\S+)/.exec(r.stdout());
  if (!match?.[1]) throw new Error(`no startup line: ${r.stdout()} ${r.stderr()}`);
  return match[1];
}

describe('dev-consul CLI', () => {
  it('prints one line when listening, logs changes at info, and stops cleanly on SIGTERM', async () => {
    const r = run(['--port', '0', '--node', 'cli-node', '--datacenter', 'dc7']);
    const url = await listening(r);
    expect(r.stdout().trim().split('\n')).toHaveLength(1);
    expect(r.stdout()).toMatch(/^dev-consul listening on http:\/\/127\.0\.0\.1:\d+ \(node cli-node, datacenter dc7\)\n$/);
    const reg = await fetch(`${url}/v1/agent/service/register`, { method: 'PUT', body: '{"Name":"ratings","ID":"ratings-1","Port":8001,"Address":"127.0.0.1","Check":{"TTL":"300ms"}}' });
    expect(reg.status).toBe(200);
    await fetch(`${url}/v1/agent/check/pass/service:ratings-1`, { method: 'PUT' });
    await waitFor(() => r.stdout().includes('passing -> critical'), { timeoutMs: 5000, what: 'TTL expiry log line' });
    expect(r.stdout()).toContain('service registered: ratings-1 (ratings) at 127.0.0.1:8001');
    expect(r.stdout()).toContain('check service:ratings-1 critical -> passing');
    expect(r.stdout()).toContain('check service:ratings-1 passing -> critical: TTL expired');
    const self = (await (await fetch(`${url}/v1/agent/self`)).json()) as { Config: { NodeName: string; Datacenter: string } };
    expect(self.Config).toMatchObject({ NodeName: 'cli-node', Datacenter: 'dc7' });
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
  });

  it('started with npx, it stops when npx is sent SIGTERM (npx does not pass the signal on)', async () => {
    // npx in its own process group, so the test can clean up whatever is left of it
    const npx = spawn('npx', ['dev-consul', '--port', '0'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    npx.stdout.on('data', (c: Buffer) => (out += c.toString()));
    npx.stderr.on('data', (c: Buffer) => (out += c.toString()));
    cleanups.push(() => {
      try {
        process.kill(-npx.pid!, 'SIGKILL');
      } catch {
        // the group is gone
      }
    });
    const url = (await waitFor(() => /listening on (http:\/\/\S+)/.exec(out), { timeoutMs: 60_000, what: 'the startup line through npx' }))[1]!;
    expect((await fetch(`${url}/v1/status/leader`)).status).toBe(200);
    npx.kill('SIGTERM');
    const answers = async (): Promise<boolean> => fetch(`${url}/v1/status/leader`).then(() => true, () => false);
    await waitFor(async () => !(await answers()), { timeoutMs: 15_000, what: 'dev-consul to stop after npx went away' });
  }, 90_000);

  it('is quiet at --log-level warn and enforces --token', async () => {
    const r = run(['--port', '0', '--log-level', 'warn', '--token', 's3cret']);
    const url = await listening(r);
    const denied = await fetch(`${url}/v1/agent/service/register`, { method: 'PUT', body: '{"Name":"x"}' });
    expect(denied.status).toBe(403);
    const ok = await fetch(`${url}/v1/agent/service/register`, { method: 'PUT', body: '{"Name":"x"}', headers: { 'X-Consul-Token': 's3cret' } });
    expect(ok.status).toBe(200);
    expect(await (await fetch(`${url}/v1/status/leader`)).json()).toBe('127.0.0.1:8300');
    r.child.kill('SIGINT');
    expect(await r.exited).toBe(0);
    expect(r.stdout()).not.toContain('service registered');
  });

  it('--help prints usage and exits 0', async () => {
    const r = run(['--help']);
    expect(await r.exited).toBe(0);
    expect(r.stdout()).toContain('Usage: dev-consul [options]');
    expect(r.stdout()).toContain('--enable-script-checks');
  });

  it('a bad flag or value is a clear error with exit code 2', async () => {
    const unknown = run(['--bogus']);
    expect(await unknown.exited).toBe(2);
    // node:util parseArgs' message (its hint about '--' included), then cli-kit's usage line
    expect(unknown.stderr()).toMatch(/^dev-consul: Unknown option '--bogus'.*\nUsage: dev-consul \[options\] {3}\(--help for more\)\n$/);
    const badPort = run(['--port', 'eighty']);
    expect(await badPort.exited).toBe(2);
    expect(badPort.stderr()).toContain('--port must be an integer from 0 to 65535, got "eighty"');
    const badLevel = run(['--log-level=loud']);
    expect(await badLevel.exited).toBe(2);
    expect(badLevel.stderr()).toContain('--log-level must be one of debug, info, warn, error');
    // the other parse errors, each a line starting with the program's name
    for (const [args, message] of [
      [['--port'], "Option '--port <value>' argument missing"],
      [['--node', '--port', '1'], "Option '--node' argument is ambiguous"],
      [['--enable-script-checks=yes'], "Option '--enable-script-checks' does not take an argument"],
      [['extra'], 'unexpected argument "extra"'],
    ] as const) {
      const r = run([...args]);
      expect(await r.exited).toBe(2);
      const prefix = `dev-consul: ${message}`;
      expect(r.stderr().slice(0, prefix.length)).toBe(prefix);
      expect(r.stdout()).toBe('');
    }
  });

  it('a port in use is a clear error with exit code 1', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = run(['--port', String(port)]);
      expect(await r.exited).toBe(1);
      expect(r.stderr()).toMatch(/^dev-consul: cannot start: address already in use/);
    } finally {
      blocker.close();
    }
  });
});
