// The load generator's command line is the harness's protocol (run.ts's startGenerator: one argument, the spec
// JSON, and an IPC channel); anything else is refused with the usage line, exit 2, before any client is built.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from '@jest/globals';
import { startProcess } from 'process-supervisor';
import type { ChildExit, ManagedProcess } from 'process-supervisor';

const GENERATOR = fileURLToPath(new URL('../dist/generator-main.js', import.meta.url));
const USAGE_LINE = "usage: node packages/fault-bench/dist/generator-main.js '<spec JSON>'   (--help for more)";

const started: ManagedProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((child) => child.stop('SIGKILL')));
});

/** Runs the generator to its end: how it exited and the lines it printed (stdout and stderr). */
async function run(args: string[], ipc: boolean): Promise<ChildExit & { lines: string[] }> {
  const child = startProcess({ name: `generator ${args.join(' ')}`, args: [GENERATOR, ...args], ipc });
  started.push(child);
  return { ...(await child.exited), lines: child.output().split('\n') };
}

describe('generator-main.js command line', () => {
  it('refuses a flag with the usage line, exit 2, even when the harness started it', async () => {
    const result = await run(['--no-such-flag'], true);
    expect(result).toMatchObject({ code: 2, signal: null });
    expect(result.lines).toEqual([expect.stringMatching(/^generator-main: Unknown option '--no-such-flag'/), USAGE_LINE, '']);
  });

  it('refuses no spec or two', async () => {
    for (const [args, count] of [[[], 0], [['{}', '{}'], 2]] as const) {
      const result = await run([...args], true);
      expect(result).toMatchObject({ code: 2, signal: null });
      expect(result.lines).toEqual([`generator-main: one argument expected (the spec JSON), got ${count}`, USAGE_LINE, '']);
    }
  });

  it('refuses to run without the IPC channel (started by hand)', async () => {
    const result = await run(['{}'], false);
    expect(result).toMatchObject({ code: 2, signal: null });
    expect(result.lines).toEqual(['generator-main: no IPC channel: started by hand', USAGE_LINE, '']);
  });
});
