import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Supervisor, waitFor } from '../src/index.js';
import { alive } from './helpers/alive.js';

const CHILD = fileURLToPath(new URL('./fixtures/child.mjs', import.meta.url));
const LAUNCHER = fileURLToPath(new URL('./fixtures/launcher.mjs', import.meta.url));
let supervisors: Supervisor[] = [];
const extraPids: number[] = [];

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => { text += chunk.toString(); });
  return { stream, text: () => text };
}

afterEach(() => {
  for (const supervisor of supervisors) supervisor.killAll();
  for (const pid of extraPids.splice(0)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  supervisors = [];
});

function supervisor(options: ConstructorParameters<typeof Supervisor>[0] = {}): Supervisor {
  const created = new Supervisor(options);
  supervisors.push(created);
  return created;
}

describe('Supervisor', () => {
  it('prefixes each output line with the child name and resolves its listening port and lines', async () => {
    const out = collect();
    const s = supervisor({ out: out.stream, err: out.stream });
    const child = s.start({ name: 'one', args: [CHILD] });
    expect(await child.listeningPort()).toBe(0);
    const [, pid] = (await child.waitForLine(/^pid (\d+)$/))!;
    expect(Number(pid)).toBe(child.pid);
    expect(out.text()).toContain('[one] listening on port 0\n');
    await s.stopAll();
  });

  it('stops groups in the order given: the second group gets its signal only after the first has exited', async () => {
    const out = collect();
    const s = supervisor({ out: out.stream });
    const first = s.start({ name: 'ratings-1', args: [CHILD], env: { STOP_MS: '300' } });
    const last = s.start({ name: 'consul', args: [CHILD] });
    await Promise.all([first.waitForLine(/^pid/), last.waitForLine(/^pid/)]);
    await s.stopAll([/^ratings/]);
    const stoppedFirst = Number(/\[ratings-1\] stopped at (\d+)/.exec(out.text())![1]);
    const signalledLast = Number(/\[consul\] stopping on SIGTERM at (\d+)/.exec(out.text())![1]);
    expect(signalledLast).toBeGreaterThanOrEqual(stoppedFirst);
    expect((await first.exited).code).toBe(0);
  });

  it('kills a child that ignores SIGTERM once the stop timeout passes', async () => {
    const s = supervisor({ out: new PassThrough(), stopTimeoutMs: 300 });
    const child = s.start({ name: 'stubborn', args: [CHILD], env: { IGNORE_TERM: '1' } });
    await child.waitForLine(/^pid/);
    const exit = await s.stopChild(child);
    expect(exit.signal).toBe('SIGKILL');
  });

  it('stops a paused (SIGSTOP) child cleanly: it is continued first and handles its signal', async () => {
    const s = supervisor({ out: new PassThrough(), stopTimeoutMs: 5000 });
    const child = s.start({ name: 'paused', args: [CHILD] });
    await child.waitForLine(/^pid/);
    process.kill(child.pid, 'SIGSTOP');
    const exit = await s.stopChild(child, 'SIGINT');
    expect(exit).toEqual({ code: 0, signal: null });
  });

  it('reports a child that exits on its own while not stopping', async () => {
    const exits: string[] = [];
    const s = supervisor({ out: new PassThrough(), onUnexpectedExit: (child, exit) => exits.push(`${child.name} ${exit.signal}`) });
    const child = s.start({ name: 'crash', args: [CHILD] });
    await child.waitForLine(/^pid/);
    process.kill(child.pid, 'SIGKILL');
    await child.exited;
    await waitFor(() => exits.length > 0, { timeoutMs: 2000, what: 'the unexpected-exit report' });
    expect(exits).toEqual(['crash SIGKILL']);
  });

  it('leaves no child behind when the launcher is SIGKILLed: each one stops itself with SIGTERM', async () => {
    const launcher = spawn(process.execPath, [LAUNCHER], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    launcher.stdout.on('data', (chunk: Buffer) => { text += chunk.toString(); });
    await waitFor(() => (text.match(/^child \d+$/gm) ?? []).length === 2 && text.includes('[b] tick'), { timeoutMs: 10_000, what: 'two children' });
    const pids = [...text.matchAll(/^child (\d+)$/gm)].map((m) => Number(m[1]));
    extraPids.push(...pids);
    launcher.kill('SIGKILL');
    await waitFor(() => pids.every((pid) => !alive(pid)), { timeoutMs: 5000, what: 'the orphaned children to stop' });
  });

  it('stops its children when its output pipe closes (make demo | tee log, then ^C)', async () => {
    const launcher = spawn(process.execPath, [LAUNCHER], { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    launcher.stdout.on('data', (chunk: Buffer) => { text += chunk.toString(); });
    await waitFor(() => (text.match(/^child \d+$/gm) ?? []).length === 2, { timeoutMs: 10_000, what: 'two children' });
    const pids = [...text.matchAll(/^child (\d+)$/gm)].map((m) => Number(m[1]));
    extraPids.push(...pids, launcher.pid!);
    launcher.stdout.destroy();
    const exit = await new Promise<number | null>((resolve) => launcher.once('exit', (code) => resolve(code)));
    expect(exit).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
  });
});
