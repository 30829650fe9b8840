/**
 * A script check (`Args`), allowed only with `enableScriptChecks`: exit 0 is passing, 1 warning,
 * anything else critical; the output is stdout and stderr together.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { CheckReporter, CheckRunner } from './check-runner.js';
import { schedulePeriodic, truncateOutput } from './check-runner.js';

export class ScriptCheck implements CheckRunner {
  private readonly stopSchedule: () => void;
  private readonly children = new Set<ChildProcess>();
  private stopped = false;

  constructor(
    private readonly args: string[],
    intervalMs: number,
    private readonly timeoutMs: number,
    private readonly outputMaxSize: number,
    private readonly report: CheckReporter,
  ) {
    this.stopSchedule = schedulePeriodic(intervalMs, () => this.probe());
  }

  stop(): void {
    this.stopped = true;
    this.stopSchedule();
    for (const child of this.children) child.kill('SIGKILL');
  }

  private probe(): Promise<void> {
    return new Promise((resolve) => {
      const [command, ...rest] = this.args;
      if (command === undefined) {
        resolve();
        return;
      }
      const child = spawn(command, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
      this.children.add(child);
      const chunks: Buffer[] = [];
      child.stdout?.on('data', (c: Buffer) => chunks.push(c));
      child.stderr?.on('data', (c: Buffer) => chunks.push(c));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, this.timeoutMs);
      timer.unref();
      const finish = (code: number | null, error?: Error): void => {
        clearTimeout(timer);
        this.children.delete(child);
        if (!this.stopped) {
          const output = truncateOutput(Buffer.concat(chunks).toString(), this.outputMaxSize);
          if (error !== undefined) this.report('critical', error.message);
          else if (timedOut) this.report('critical', `Timed out (${this.timeoutMs}ms) running check`);
          else if (code === 0) this.report('passing', output);
          else if (code === 1) this.report('warning', output);
          else this.report('critical', output);
        }
        resolve();
      };
      child.once('error', (error) => finish(null, error));
      child.once('close', (code) => finish(code));
    });
  }
}
