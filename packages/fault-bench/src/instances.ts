/**
 * The three instance processes of a run: start (capacity-limited or not), pause, resume, kill, restart on
 * the same port, slow, fail, answer a tail late, and what a capacity-limited one received.
 */
import { fileURLToPath } from 'node:url';
import { startProcess, type ManagedProcess } from 'process-supervisor';
import type { Capacity } from './capacity.js';
import { FAIL_EVERY, SLOW_INSTANCE_DELAY_MS, STOP_TIMEOUT_MS, TAIL_EVERY, TAIL_FACTOR } from './config.js';
import { now } from './clock.js';

/** The built script (from src/ under jest as from dist/). */
const MAIN = fileURLToPath(new URL('../dist/instance-main.js', import.meta.url));

/** What a capacity-limited instance received and served (`GET /stats`). */
export interface InstanceStats {
  /** Arrival time of every request it queued, epoch ms (clock.ts). */
  readonly arrivals: number[];
  readonly served: number;
  /** Served after the client had gone away. */
  readonly abandoned: number;
  readonly maxQueued: number;
}

function args(capacity: Capacity | undefined): string[] {
  if (!capacity) return [MAIN];
  const concurrency = Number.isFinite(capacity.concurrency) ? capacity.concurrency : 0;
  return [MAIN, '--concurrency', String(concurrency), '--service-ms', String(capacity.serviceMs)];
}

function startInstance(number: number, port: number, capacity: Capacity | undefined): ManagedProcess {
  return startProcess({ name: `instance ${number}`, args: args(capacity), env: { PORT: String(port) }, stopTimeoutMs: STOP_TIMEOUT_MS });
}

export class Instance {
  private constructor(
    private process: ManagedProcess,
    readonly port: number,
    /** 1-based, as the docs name them. */
    readonly number: number,
    readonly capacity: Capacity | undefined,
  ) {}

  /** Starts instance `number` on `port` (0: any), capacity-limited when `capacity` is given. */
  static async start(number: number, port = 0, capacity?: Capacity): Promise<Instance> {
    const managed = startInstance(number, port, capacity);
    return new Instance(managed, await managed.listeningPort(), number, capacity);
  }

  get pid(): number {
    return this.process.pid;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  pause(): void {
    this.process.signal('SIGSTOP');
  }

  resume(): void {
    this.process.signal('SIGCONT');
  }

  async kill(): Promise<void> {
    this.process.signal('SIGKILL');
    await this.process.exited;
  }

  /** Starts a new process on the same port; resolves once it listens, with that time (epoch ms). */
  async restart(): Promise<number> {
    const managed = startInstance(this.number, this.port, this.capacity);
    await managed.listeningPort();
    this.process = managed;
    return now();
  }

  slow(): Promise<void> {
    return this.control({ delayMs: SLOW_INSTANCE_DELAY_MS });
  }

  failHalf(): Promise<void> {
    return this.control({ failEvery: FAIL_EVERY });
  }

  /**
   * From now on one request in TAIL_EVERY answers TAIL_FACTOR times its service time late (`on` false: none
   * does); `serviceMs` is the normal time, the instance's capacity's by default.
   */
  tail(on = true, serviceMs = this.capacity?.serviceMs ?? 1): Promise<void> {
    const [low, high] = TAIL_FACTOR;
    return this.control({ tailEvery: on ? TAIL_EVERY : 0, tailMinMs: low * serviceMs, tailMaxMs: high * serviceMs });
  }

  /** What it received and served so far (a capacity-limited instance; the others report no arrivals). */
  async stats(): Promise<InstanceStats> {
    const res = await fetch(`${this.url}/stats`, { signal: AbortSignal.timeout(5000) });
    if (res.status !== 200) throw new Error(`instance ${this.number} answered ${res.status} to GET /stats`);
    return (await res.json()) as InstanceStats;
  }

  private async control(body: object): Promise<void> {
    const res = await fetch(`${this.url}/control`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    if (res.status !== 200) throw new Error(`instance ${this.number} refused control ${JSON.stringify(body)}: ${res.status}`);
    await res.arrayBuffer();
  }

  async stop(): Promise<void> {
    await this.process.stop();
  }
}
