/** What both benchmark commands (faults and deploys) share: option lists, the machine line, JSON files. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { UsageError } from 'cli-kit';
import type { MachineInfo } from './report.js';

/** `a,b` → the names, each checked against `known`; undefined when the option was not given. */
export function list<T extends string>(value: string | undefined, known: readonly T[], what: string): T[] | undefined {
  if (value === undefined) return undefined;
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !known.includes(n as T));
  if (unknown.length) throw new UsageError(`unknown ${what}: ${unknown.join(', ')} (known: ${known.join(', ')})`);
  return names as T[];
}

/** The machine and the invocation, for the line above each table. */
export function machine(command: string, reps: number, startedAt: string, wallSeconds: number, loadStart: number, proxies: Record<string, { version: string }>): MachineInfo {
  return {
    date: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    startedAt,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    kernel: os.release(),
    ...(proxies['nginx'] ? { nginx: proxies['nginx'].version } : {}),
    ...(proxies['haproxy'] ? { haproxy: proxies['haproxy'].version } : {}),
    ...(proxies['caddy'] ? { caddy: proxies['caddy'].version } : {}),
    command,
    reps,
    wallSeconds,
    loadAverageStart: loadStart,
    loadAverageEnd: os.loadavg()[0] ?? 0,
  };
}

/** The parsed JSON of `file`, or undefined when it is missing or unreadable. */
export function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * Writes `file` (a scenario's results/latest JSON) with this invocation's `runs`: the rows of contenders left
 * out of this invocation are kept from the previous file.
 */
export function writeLatest<R extends { readonly contender: string }>(
  file: string, scenario: string, machine: MachineInfo, runs: readonly R[],
): void {
  const ran = new Set(runs.map((r) => r.contender));
  const kept = (readJson<{ runs?: R[] }>(file)?.runs ?? []).filter((r) => !ran.has(r.contender));
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ scenario, machine, runs: [...kept, ...runs] })}\n`);
}
