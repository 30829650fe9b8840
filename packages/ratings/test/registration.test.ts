import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startDevConsul } from 'dev-consul';
import { waitFor } from 'process-supervisor';
import { killAll, LAUNCHER, RATINGS_MAIN, startListening, startNode } from './helpers/process.js';

interface HealthEntry {
  Service: { ID: string; Service: string; Address: string; Port: number; Tags: string[]; Meta: Record<string, string> };
  Checks: Array<{ Status: string; ServiceID: string }>;
}

describe('ratings instances in Consul', () => {
  let consul: Awaited<ReturnType<typeof startDevConsul>>;
  let env: Record<string, string>;

  const health = async (): Promise<HealthEntry[]> => {
    const res = await fetch(`http://127.0.0.1:${consul.port}/v1/health/service/ratings`);
    return await res.json() as HealthEntry[];
  };
  const statusOf = async (id: string): Promise<string | undefined> => {
    const entry = (await health()).find((e) => e.Service.ID === id);
    return entry?.Checks.find((c) => c.ServiceID === id)?.Status;
  };

  beforeAll(async () => {
    consul = await startDevConsul({ port: 0 });
    env = { CONSUL_HTTP_ADDR: `127.0.0.1:${consul.port}`, RATINGS_TTL: '2s', RATINGS_HEARTBEAT: '400ms' };
  });

  afterEach(killAll);

  afterAll(async () => {
    await consul.close();
  });

  it('registers as ratings-N with its address, version tag and meta, and answers on its port', async () => {
    const { running, port } = await startListening('ratings-7', RATINGS_MAIN, ['--instance', '7'], { ...env, VERSION: '2.0', COLOR: 'green' });
    await running.waitFor(/registered ratings-7/);
    const entry = (await health()).find((e) => e.Service.ID === 'ratings-7');
    expect(entry?.Service).toMatchObject({ Service: 'ratings', Address: '127.0.0.1', Port: port, Tags: ['v2.0', 'color=green'] });
    expect(entry?.Service.Meta).toMatchObject({ version: '2.0', color: 'green', pid: String(running.child.pid) });
    await waitFor(async () => (await statusOf('ratings-7')) === 'passing', { timeoutMs: 5000, what: 'a passing check' });
    const res = await fetch(`http://127.0.0.1:${port}/ratings/guitar`);
    await expect(res.json()).resolves.toEqual({ thing: 'guitar', rating: 3, votes: 2, instance: 7, version: '2.0', color: 'green' });
    await running.waitFor(/GET guitar => 3/);
  });

  it('deregisters on SIGTERM before it stops listening, and exits 0', async () => {
    const { running, port } = await startListening('ratings-1', RATINGS_MAIN, ['--instance', '1'], env);
    await running.waitFor(/registered ratings-1/);
    running.child.kill('SIGTERM');
    await expect(running.exited()).resolves.toEqual({ code: 0, signal: null });
    expect((await health()).map((e) => e.Service.ID)).not.toContain('ratings-1');
    const out = running.output();
    expect(out.indexOf('deregistered ratings-1')).toBeGreaterThan(out.indexOf('SIGTERM'));
    expect(out.indexOf('ratings-1 stopped')).toBeGreaterThan(out.indexOf('deregistered ratings-1'));
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });

  it('goes critical when paused past its TTL and passes again when resumed', async () => {
    const { running } = await startListening('ratings-2', RATINGS_MAIN, ['--instance', '2'], env);
    await running.waitFor(/registered ratings-2/);
    await waitFor(async () => (await statusOf('ratings-2')) === 'passing', { timeoutMs: 5000, what: 'a passing check' });
    running.child.kill('SIGSTOP');
    await waitFor(async () => (await statusOf('ratings-2')) === 'critical', { timeoutMs: 8000, what: 'the TTL check going critical' });
    running.child.kill('SIGCONT');
    await waitFor(async () => (await statusOf('ratings-2')) === 'passing', { timeoutMs: 8000, what: 'the check passing again' });
  });

  it('launches COUNT instances with prefixed output and stops them all on SIGINT', async () => {
    const launcher = startNode('launcher', LAUNCHER, ['--count', '3'], { ...env, PORT: '0' });
    for (const n of [1, 2, 3]) await launcher.waitFor(new RegExp(`\\[ratings-${n}\\] registered ratings-${n}`), 15_000);
    const ids = async (): Promise<string[]> => (await health()).map((e) => e.Service.ID).filter((id) => /^ratings-[123]$/.test(id)).sort();
    await waitFor(async () => (await ids()).length === 3, { timeoutMs: 5000, what: 'three instances in Consul' });
    launcher.child.kill('SIGINT');
    await expect(launcher.exited()).resolves.toEqual({ code: 0, signal: null });
    for (const n of [1, 2, 3]) expect(launcher.output()).toContain(`[ratings-${n}] deregistered ratings-${n}`);
    expect(await ids()).toEqual([]);
  });

  // `make demo` tells users to `kill -STOP <pid>` an instance; ^C afterwards must still deregister it and leave no
  // paused orphan behind (a stopped process cannot handle SIGINT until it is continued).
  it('stops a COUNT instance that was paused (SIGSTOP) too: it deregisters and the launcher exits 0', async () => {
    const launcher = startNode('launcher', LAUNCHER, ['--count', '2'], { ...env, PORT: '0' });
    const pid = Number((await launcher.waitFor(/started ratings-2 \(pid (\d+)\)/))[1]);
    for (const n of [1, 2]) await launcher.waitFor(new RegExp(`\\[ratings-${n}\\] registered ratings-${n}`), 15_000);
    const state = (): string => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.charAt(0);
    try {
      process.kill(pid, 'SIGSTOP');
      await waitFor(() => state() === 'T', { timeoutMs: 3000, what: 'ratings-2 to stop' });
      launcher.child.kill('SIGINT');
      let timer: NodeJS.Timeout | undefined;
      const exited = await Promise.race([
        launcher.exited(),
        new Promise<string>((resolve) => { timer = setTimeout(() => resolve('still running after 10 s'), 10_000); }),
      ]);
      clearTimeout(timer);
      expect(exited).toEqual({ code: 0, signal: null });
      expect(launcher.output()).toContain('[ratings-2] deregistered ratings-2');
      expect((await health()).map((e) => e.Service.ID)).not.toContain('ratings-2');
    } finally {
      try {
        process.kill(pid, 'SIGCONT');
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone, as it should be
      }
    }
  });

  // ^Z stops the terminal's foreground process group; SIGSTOP does the same to the launcher here (the kernel discards
  // SIGTSTP for an orphaned process group, which is what a test runner without a terminal has).
  it('runs INSTANCE in the launcher process itself, so stopping the launcher (^Z) pauses the instance and SIGCONT resumes it', async () => {
    const launcher = startNode('launcher', LAUNCHER, ['--instance', '5'], { ...env, PORT: '0' });
    const port = await launcher.managed.listeningPort();
    await launcher.waitFor(/registered ratings-5/);
    const ask = (): Promise<Response> => fetch(`http://127.0.0.1:${port}/ratings/kettle`, { signal: AbortSignal.timeout(1000) });
    expect((await ask()).status).toBe(200);
    const state = (): string => readFileSync(`/proc/${launcher.child.pid}/stat`, 'utf8').split(') ')[1]!.charAt(0);
    launcher.child.kill('SIGSTOP');
    await waitFor(() => state() === 'T', { timeoutMs: 3000, what: 'the process to stop' });
    await expect(ask()).rejects.toThrow();
    launcher.child.kill('SIGCONT');
    expect((await ask()).status).toBe(200);
    launcher.child.kill('SIGINT');
    await expect(launcher.exited()).resolves.toEqual({ code: 0, signal: null });
    expect(launcher.output()).toContain('deregistered ratings-5');
    expect((await health()).map((e) => e.Service.ID)).not.toContain('ratings-5');
  });

  it('says when its heartbeat fails, and keeps serving', async () => {
    const own = await startDevConsul({ port: 0 });
    const { running, port } = await startListening('ratings-8', RATINGS_MAIN, ['--instance', '8'], { ...env, CONSUL_HTTP_ADDR: `127.0.0.1:${own.port}` });
    await running.waitFor(/registered ratings-8/);
    const mark = running.mark();
    await own.close();
    await running.waitFor(/heartbeat for ratings-8 failed/, 5000, mark);
    expect((await fetch(`http://127.0.0.1:${port}/ratings/camera`)).status).toBe(200);
  });

  it('says which port is taken when an instance is started twice, and exits 1', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const again = startNode('again', LAUNCHER, ['--instance', '6'], { ...env, PORT: String(port) });
      await expect(again.exited()).resolves.toEqual({ code: 1, signal: null });
      expect(again.output()).toContain(`ratings-6 could not start: port ${port} on 127.0.0.1 is already in use: is ratings-6 already running?`);
      expect((await health()).map((e) => e.Service.ID)).not.toContain('ratings-6');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('refuses bad arguments and settings with a clear message', async () => {
    const badInstance = startNode('bad', RATINGS_MAIN, ['--instance', 'two'], env);
    await expect(badInstance.exited()).resolves.toEqual({ code: 2, signal: null });
    expect(badInstance.output()).toContain('--instance must be a whole number from 1 to 999, got "two"');
    const badTtl = startNode('bad-ttl', RATINGS_MAIN, ['--instance', '1'], { ...env, RATINGS_TTL: 'soon' });
    await expect(badTtl.exited()).resolves.toEqual({ code: 2, signal: null });
    expect(badTtl.output()).toContain('RATINGS_TTL must be a duration like 500ms, 2s or 1m, got "soon"');
    const both = startNode('both', LAUNCHER, ['--count', '2', '--instance', '1'], env);
    await expect(both.exited()).resolves.toEqual({ code: 2, signal: null });
    expect(both.output()).toContain('give --count or --instance, not both');
  });
});
