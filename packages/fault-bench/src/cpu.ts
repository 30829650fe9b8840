/**
 * CPU accounting from /proc: CPU time of every process of a run (a role such as `generator`, `proxy`,
 * `instance 2`, with the descendants of each pid), and how busy the whole machine was, second by second.
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

/** Kernel clock ticks per second (USER_HZ): 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

/** utime + stime of one process, in seconds, or undefined once it is gone. */
function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name may contain spaces: fields start after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Parent pid of every process, from /proc. */
function parents(): Map<number, number> {
  const parentOf = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return parentOf;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  return parentOf;
}

/** `pid` and every process below it (nginx's master and its worker), given the parent of each pid. */
function descendants(pid: number, parentOf: ReadonlyMap<number, number>): number[] {
  const result = [pid];
  for (let i = 0; i < result.length; i++) {
    for (const [child, parent] of parentOf) if (parent === result[i]) result.push(child);
  }
  return result;
}

/** Busy and total jiffies of the whole machine, from the first line of /proc/stat. */
function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((a, b) => a + b, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0); // idle + iowait
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

export interface CpuReport {
  /** CPU used by each role over the run, as a percentage of one core. */
  readonly processes: Record<string, number>;
  /** The machine's busy share (all cores), mean and highest one-second value, %. */
  readonly machineBusyMean: number;
  readonly machineBusyMax: number;
  readonly loadAverageStart: number;
  readonly loadAverageEnd: number;
  readonly cores: number;
}

/**
 * Samples every `intervalMs` while a run lasts. Roles are added as processes start (`track`); a process
 * that dies keeps the CPU time of its last sample (a killed instance loses up to one interval).
 */
export class CpuSampler {
  private readonly roles = new Map<string, { pids: Set<number>; first: Map<number, number>; last: Map<number, number> }>();
  private readonly busy: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private previous = machineTicks();
  private startedAt = 0;
  private readonly loadStart = os.loadavg()[0] ?? 0;

  constructor(private readonly intervalMs = 1000) {}

  /** Counts `pid` and its descendants (found now: nginx's worker is forked before the run) under `role`. */
  track(role: string, pid: number): void {
    let entry = this.roles.get(role);
    if (!entry) {
      entry = { pids: new Set(), first: new Map(), last: new Map() };
      this.roles.set(role, entry);
    }
    for (const p of descendants(pid, parents())) entry.pids.add(p);
    this.sampleRole(entry);
  }

  startSampling(): void {
    this.startedAt = performance.now();
    this.previous = machineTicks();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  private sampleRole(entry: { pids: Set<number>; first: Map<number, number>; last: Map<number, number> }): void {
    for (const pid of entry.pids) {
      const seconds = processCpuSeconds(pid);
      if (seconds === undefined) continue;
      if (!entry.first.has(pid)) entry.first.set(pid, seconds);
      entry.last.set(pid, seconds);
    }
  }

  /** Samples now: a few small /proc reads, cheap enough not to delay a fault step. */
  sample(): void {
    for (const entry of this.roles.values()) this.sampleRole(entry);
    const now = machineTicks();
    if (now && this.previous && now.total > this.previous.total) {
      this.busy.push((100 * (now.busy - this.previous.busy)) / (now.total - this.previous.total));
    }
    this.previous = now;
  }

  finish(): CpuReport {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    const seconds = Math.max(0.001, (performance.now() - this.startedAt) / 1000);
    const processes: Record<string, number> = {};
    for (const [role, entry] of this.roles) {
      let used = 0;
      for (const [pid, last] of entry.last) used += last - (entry.first.get(pid) ?? last);
      processes[role] = (100 * used) / seconds;
    }
    const mean = this.busy.length ? this.busy.reduce((a, b) => a + b, 0) / this.busy.length : 0;
    return {
      processes,
      machineBusyMean: mean,
      machineBusyMax: this.busy.length ? Math.max(...this.busy) : 0,
      loadAverageStart: this.loadStart,
      loadAverageEnd: os.loadavg()[0] ?? 0,
      cores: os.cpus().length,
    };
  }
}
