import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from '@jest/globals';
import { listeningPort, startProcess, stopAll, waitFor } from '../src/index.js';
import type { ManagedProcess } from '../src/index.js';
import { alive } from './helpers/alive.js';

const CHILD = fileURLToPath(new URL('./fixtures/child.mjs', import.meta.url));
const EXITING_PARENT = fileURLToPath(new URL('./fixtures/exiting-parent.mjs', import.meta.url));
const leftovers: number[] = [];

/** Resolves once `pid` is gone (a zombie counts as gone: `ps` says so). */
async function gone(pid: number): Promise<void> {
  await waitFor(() => !alive(pid), { timeoutMs: 10_000, what: `pid ${pid} to be gone` });
}

afterEach(async () => {
  await stopAll();
  for (const pid of leftovers.splice(0)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
});

describe('startProcess', () => {
  it('runs a binary, keeps its output by line and waits for a line printed after a mark', async () => {
    const shell = startProcess({ name: 'sh', command: 'sh', args: ['-c', 'echo one; echo two >&2; exec sleep 600'], stopTimeoutMs: 2000 });
    await shell.waitForLine(/^two$/);
    expect(shell.output()).toBe('one\ntwo\n');
    const mark = shell.mark();
    await expect(shell.waitForLine(/^one$/, 200, mark)).rejects.toThrow('sh did not print /^one$/ within 0.2 s');
  });

  it('reads the listening port of a Node script, and the same rule parses a line of text', async () => {
    const node = startProcess({ name: 'child', args: [CHILD] });
    expect(await node.listeningPort()).toBe(0);
    expect(listeningPort('market (monolith) listening on port 4312\n')).toBe(4312);
    expect(listeningPort('starting')).toBeUndefined();
  });

  it('rejects a wait when the process exits first, with what it printed', async () => {
    const shell = startProcess({ name: 'sh', command: 'sh', args: ['-c', 'echo bye; exit 3'] });
    await expect(shell.waitForLine(/never/)).rejects.toThrow('sh exited (code 3) before printing /never/; it printed:\nbye');
  });

  it('stops the whole process group: a child the process forked goes too', async () => {
    const shell = startProcess({ name: 'sh', command: 'sh', args: ['-c', 'sleep 600 & echo "forked $!"; wait'] });
    const forked = Number((await shell.waitForLine(/^forked (\d+)$/))[1]);
    leftovers.push(forked);
    expect(await shell.stop()).toEqual({ code: null, signal: 'SIGTERM' });
    await gone(forked);
  });

  it('SIGKILLs a process that ignores the stop signal once the timeout passes', async () => {
    const stubborn = startProcess({ name: 'stubborn', args: [CHILD], env: { IGNORE_TERM: '1' } });
    await stubborn.waitForLine(/^pid/);
    expect((await stubborn.stop('SIGTERM', 300)).signal).toBe('SIGKILL');
  });

  it('signals the process alone: a paused one is continued by stop and handles its signal', async () => {
    const node: ManagedProcess = startProcess({ name: 'paused', args: [CHILD] });
    await node.waitForLine(/^pid/);
    expect(node.signal('SIGSTOP')).toBe(true);
    expect(await node.stop('SIGINT')).toEqual({ code: 0, signal: null });
    expect(node.signal('SIGCONT')).toBe(false);
  });

  it.each([['exits', {}], ['crashes', { THROW: '1' }]])('ends a binary and a Node child when its parent %s without stopping them', async (_how, env) => {
    const parent = spawn(process.execPath, [EXITING_PARENT], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    parent.stdout.on('data', (chunk: Buffer) => { text += chunk.toString(); });
    await new Promise((resolve) => parent.once('close', resolve));
    const pids = /^pids (\d+) (\d+)$/m.exec(text)!.slice(1).map(Number);
    leftovers.push(...pids);
    await Promise.all(pids.map(gone));
  });
});
