/** A TCP check (`checks.CheckTCP`): connecting is passing (`TCP connect <addr>: Success`), failing is critical. */
import net from 'node:net';
import type { CheckReporter, CheckRunner } from './check-runner.js';
import { schedulePeriodic } from './check-runner.js';

export class TcpCheck implements CheckRunner {
  private readonly stopSchedule: () => void;
  private readonly sockets = new Set<net.Socket>();
  private stopped = false;

  constructor(
    private readonly address: string,
    intervalMs: number,
    private readonly timeoutMs: number,
    private readonly report: CheckReporter,
  ) {
    this.stopSchedule = schedulePeriodic(intervalMs, () => this.probe());
  }

  stop(): void {
    this.stopped = true;
    this.stopSchedule();
    for (const socket of this.sockets) socket.destroy();
  }

  private probe(): Promise<void> {
    return new Promise((resolve) => {
      const index = this.address.lastIndexOf(':');
      const host = this.address.slice(0, index).replace(/^\[|\]$/g, '');
      const port = Number(this.address.slice(index + 1));
      if (index < 0 || !Number.isInteger(port)) {
        this.report('critical', `dial tcp: address ${this.address}: missing port in address`);
        resolve();
        return;
      }
      const socket = net.connect({ host, port });
      this.sockets.add(socket);
      socket.setTimeout(this.timeoutMs);
      const finish = (status: 'passing' | 'critical', output: string): void => {
        this.sockets.delete(socket);
        socket.destroy();
        if (!this.stopped) this.report(status, output);
        resolve();
      };
      socket.once('connect', () => finish('passing', `TCP connect ${this.address}: Success`));
      socket.once('timeout', () => finish('critical', `dial tcp ${this.address}: i/o timeout`));
      socket.once('error', (error: NodeJS.ErrnoException) =>
        finish('critical', `dial tcp ${this.address}: ${error.code === 'ECONNREFUSED' ? 'connect: connection refused' : error.message}`),
      );
    });
  }
}
