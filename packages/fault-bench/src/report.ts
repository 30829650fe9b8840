/**
 * The generated section of docs/benchmarks.md (between the fault-bench markers): the machine, the date,
 * the timings, one table per scenario (median and min–max over repetitions) and its plot.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { ATTEMPT_TIMEOUT_MS, INSTANCE_COUNT, PROBE_GAP_REQUESTS, RATE, RETRY_LIMIT, SATURATED_BUSY_PERCENT, SATURATED_SEND_LAG_MS, SLOW_MS, WARMUP_MS } from './config.js';
import { CONTENDERS, CONTENDER_NAMES, type ContenderName } from './contenders.js';
import { overloadLegend, overloadTable } from './overload-report.js';
import type { RunSummary } from './run.js';
import { SCENARIOS, SCENARIO_NAMES, type ScenarioName } from './scenarios.js';
import { spread, type Spread } from './stats.js';
import { cell, count, ms, type Format } from './table-cells.js';

export const START_MARKER = '<!-- fault-bench:start -->';
export const END_MARKER = '<!-- fault-bench:end -->';

/** Everything one scenario's latest invocation left (results/latest/<scenario>.json). */
export interface ScenarioResults {
  readonly scenario: ScenarioName;
  readonly machine: MachineInfo;
  readonly runs: RunSummary[];
}

export interface MachineInfo {
  readonly date: string;
  /** ISO time the invocation started (runs started before it come from an earlier one). */
  readonly startedAt: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly kernel: string;
  readonly nginx?: string;
  readonly haproxy?: string;
  readonly caddy?: string;
  readonly command: string;
  readonly reps: number;
  /** Wall time of the invocation that produced these runs, s. */
  readonly wallSeconds: number;
  readonly loadAverageStart: number;
  readonly loadAverageEnd: number;
}

export interface CrosscheckResult {
  readonly date: string;
  readonly rate: number;
  readonly seconds: number;
  readonly generator: { count: number; p50: number; p99: number; p999: number; max: number };
  readonly autocannon: { count: number; p50: number; p99: number; p999: number; max: number; connections: number };
  readonly loadAverage: number;
}

const percent: Format = (v) => `${v.toFixed(0)}`;

function fig(runs: readonly RunSummary[], pick: (r: RunSummary) => number | null | undefined): Spread {
  return spread(runs.map(pick));
}

function cpuCell(runs: readonly RunSummary[], contender: ContenderName): string {
  const proxy = CONTENDERS[contender].proxy;
  const gen = fig(runs, (r) => r.cpu.processes['generator']);
  const instances = fig(runs, (r) => Object.entries(r.cpu.processes).filter(([k]) => k.startsWith('instance')).reduce((a, [, v]) => a + v, 0));
  const parts = [`client ${cell(gen, percent)}`];
  if (proxy) parts.push(`${proxy} ${cell(fig(runs, (r) => r.cpu.processes[proxy]), percent)}`);
  parts.push(`instances ${cell(instances, percent)}`);
  return parts.join(', ');
}

function perInstanceCell(runs: readonly RunSummary[]): string {
  const n = runs[0]?.figures.answersPerInstance.length ?? 0;
  return Array.from({ length: n }, (_, i) => count(spread(runs.map((r) => r.figures.answersPerInstance[i] ?? 0)).median ?? 0)).join(' / ');
}

function runsCell(runs: readonly RunSummary[]): string {
  const saturated = runs.filter((r) => r.saturated).length;
  return saturated ? `${runs.length} (**${saturated} saturated**)` : `${runs.length}`;
}

function scenarioTable(results: ScenarioResults): string[] {
  const scenario = SCENARIOS[results.scenario];
  const contenders = CONTENDER_NAMES.filter((c) => results.runs.some((r) => r.contender === c));
  const lines: string[] = [];
  const hasRecovery = scenario.steps.some((s) => s.action === 'cont' || s.action === 'restart');
  if (scenario.steps.length === 0) {
    lines.push(
      '| contender | failed | > 500 ms | p50 | p99 | p99.9 | max | answers per instance (1 / 2 / 3) | CPU, % of one core | runs |',
      '|---|---:|---:|---:|---:|---:|---:|---|---|---|',
    );
    for (const c of contenders) {
      const runs = results.runs.filter((r) => r.contender === c);
      lines.push(
        `| ${c} | ${cell(fig(runs, (r) => r.figures.failed), count)} | ${cell(fig(runs, (r) => r.figures.slow), count)} | ${cell(fig(runs, (r) => r.figures.steady.p50), ms)} | ${cell(fig(runs, (r) => r.figures.steady.p99), ms)} | ${cell(fig(runs, (r) => r.figures.steady.p999), ms)} | ${cell(fig(runs, (r) => r.figures.steady.max), ms)} | ${perInstanceCell(runs)} | ${cpuCell(runs, c)} | ${runsCell(runs)} |`,
      );
    }
    return lines;
  }
  lines.push(
    `| contender | failed | > 500 ms | detection | probes (slow) | ${hasRecovery ? 're-admission | ' : ''}fault p50 | fault p99 | fault p99.9 | fault max | steady p99 | faulty's share of answers in the fault window | answers per instance (1 / 2 / 3) | CPU, % of one core | runs |`,
    `|---|---:|---:|---:|---:|${hasRecovery ? '---:|' : ''}---:|---:|---:|---:|---:|---:|---|---|---|`,
  );
  for (const c of contenders) {
    const runs = results.runs.filter((r) => r.contender === c);
    const probes = `${cell(fig(runs, (r) => r.figures.probes), count)} (${cell(fig(runs, (r) => r.figures.slowProbes), count)})`;
    lines.push(
      `| ${c} | ${cell(fig(runs, (r) => r.figures.failed), count)} | ${cell(fig(runs, (r) => r.figures.slow), count)} | ${cell(fig(runs, (r) => r.figures.detectionMs), ms, 'never')} | ${probes} | ` +
        (hasRecovery ? `${cell(fig(runs, (r) => r.figures.readmissionMs), ms)} | ` : '') +
        `${cell(fig(runs, (r) => r.figures.fault?.p50), ms)} | ${cell(fig(runs, (r) => r.figures.fault?.p99), ms)} | ${cell(fig(runs, (r) => r.figures.fault?.p999), ms)} | ${cell(fig(runs, (r) => r.figures.fault?.max), ms)} | ` +
        `${cell(fig(runs, (r) => r.figures.steady.p99), ms)} | ${cell(fig(runs, (r) => r.figures.faultyShare), (v) => `${v.toFixed(1)} %`)} | ${perInstanceCell(runs)} | ${cpuCell(runs, c)} | ${runsCell(runs)} |`,
    );
  }
  return lines;
}

export function machineLine(m: MachineInfo): string {
  const proxies = [m.nginx ? `nginx ${m.nginx}` : '', m.haproxy ? `HAProxy ${m.haproxy}` : '', m.caddy ? `Caddy ${m.caddy}` : ''].filter(Boolean).join(', ');
  return (
    `Run ${m.date} on ${m.cpu} (${m.cores} cores), ${m.memoryGiB} GiB, Node ${m.node}, Linux ${m.kernel}${proxies ? `, ${proxies}` : ''}; ` +
    `\`${m.command}\`, ${m.reps} repetition${m.reps === 1 ? '' : 's'}, ${(m.wallSeconds / 60).toFixed(1)} min; ` +
    `load average ${m.loadAverageStart.toFixed(1)} at the start, ${m.loadAverageEnd.toFixed(1)} at the end.`
  );
}

/** The whole generated section, given every scenario's latest results and the crosscheck (if any). */
export function renderSection(all: readonly ScenarioResults[], crosscheck: CrosscheckResult | undefined, plotPath: (s: ScenarioName) => string): string {
  const lines: string[] = [];
  lines.push(
    '## Fault benchmark: discovery-client, nginx, HAProxy, Caddy and opossum by hand',
    '',
    '_Generated by `npm run bench:faults` (packages/fault-bench); do not edit by hand: the analysis is below the section._',
    '',
    `Open-model load at ${RATE} requests/s (latency from the intended send time), ${INSTANCE_COUNT} instances on 127.0.0.1, the second one faulty; ` +
      `every contender gets ${ATTEMPT_TIMEOUT_MS} ms per attempt and at most ${RETRY_LIMIT} retry on another instance. ` +
      `Cells: median over the repetitions (min–max). "steady" is ${WARMUP_MS / 1000} s after the start to the fault; the fault window runs from the fault to its end ` +
      `(SIGCONT, the restarted instance listening) or to the end of the run. Detection: from the fault to the last ordinary attempt on the faulty instance ` +
      `(the first gap of ${PROBE_GAP_REQUESTS} requests without one ends ordinary traffic); probes: user requests that had an attempt there after that ` +
      `(in parentheses: how many of them were slower than ${SLOW_MS} ms). Runs marked saturated: the machine was ≥ ${SATURATED_BUSY_PERCENT} % busy on average or the generator ` +
      `sent its requests ≥ ${SATURATED_SEND_LAG_MS} ms late (p99 after the first ${WARMUP_MS / 1000} s, not counting the time it spent in its own garbage ` +
      'collections: the in-process client\'s allocation, its cost, already in its latencies); their latencies measure the machine, not the contender.',
    '',
  );
  const runs = all.flatMap((s) => s.runs);
  const saturated = runs.filter((r) => r.saturated).length;
  if (saturated > 0) {
    lines.push(
      `**${saturated} of ${runs.length} runs below were saturated: their latencies measure a busy machine more than the contenders. ` +
        'Do not quote them as results; run again on a quiet machine.**',
      '',
    );
  }
  const contenders = new Set(runs.map((r) => r.contender));
  lines.push('| contender | what it is |', '|---|---|');
  for (const c of CONTENDER_NAMES) if (contenders.has(c)) lines.push(`| ${c} | ${CONTENDERS[c].description} |`);
  lines.push('');
  let legend = false;
  for (const name of SCENARIO_NAMES) {
    const results = all.find((s) => s.scenario === name);
    if (!results) continue;
    const scenario = SCENARIOS[name];
    if (scenario.capacity && !legend) {
      lines.push(overloadLegend(), '');
      legend = true;
    }
    lines.push(`### ${name}: ${scenario.title}`, '', machineLine(results.machine), '');
    const contenders = CONTENDER_NAMES.filter((c) => results.runs.some((r) => r.contender === c));
    lines.push(...(scenario.capacity ? overloadTable(name, results.runs, contenders) : scenarioTable(results)), '');
    const earlier = [...new Set(results.runs.filter((r) => r.startedAt < results.machine.startedAt).map((r) => `${r.contender} (${r.startedAt.slice(0, 16).replace('T', ' ')} UTC)`))];
    if (earlier.length) lines.push(`Rows kept from an earlier invocation: ${earlier.join(', ')}.`, '');
    const what = scenario.capacity ? 'good answers, their p99 and attempts per request' : 'p99, slow and failed requests';
    lines.push(`![${name}: ${what} per second](${plotPath(name)})`, '');
  }
  if (crosscheck) {
    lines.push(
      '### The generator against autocannon',
      '',
      `\`npm run bench:faults -- --crosscheck\`, ${crosscheck.date}, load average ${crosscheck.loadAverage.toFixed(1)}: ` +
        `one instance, ${crosscheck.rate} requests/s for ${crosscheck.seconds} s, first our generator (\`direct\`, undici), then autocannon ` +
        `(\`overallRate\`, ${crosscheck.autocannon.connections} connections, its coordinated-omission correction on).`,
      '',
      '| tool | requests | p50 | p99 | p99.9 | max |',
      '|---|---:|---:|---:|---:|---:|',
      `| fault-bench generator | ${count(crosscheck.generator.count)} | ${ms(crosscheck.generator.p50)} | ${ms(crosscheck.generator.p99)} | ${ms(crosscheck.generator.p999)} | ${ms(crosscheck.generator.max)} |`,
      `| autocannon | ${count(crosscheck.autocannon.count)} | ${ms(crosscheck.autocannon.p50)} | ${ms(crosscheck.autocannon.p99)} | ${ms(crosscheck.autocannon.p999)} | ${ms(crosscheck.autocannon.max)} |`,
      '',
    );
  }
  return lines.join('\n');
}

/** Replaces the text between the markers of `file` with `section`; appends the markers when missing. */
export function writeSection(file: string, section: string, markers = { start: START_MARKER, end: END_MARKER }): void {
  const doc = readFileSync(file, 'utf8');
  const from = doc.indexOf(markers.start);
  const to = doc.indexOf(markers.end);
  if (from < 0 || to < from) {
    writeFileSync(file, `${doc.trimEnd()}\n\n${markers.start}\n${section}\n${markers.end}\n`);
    return;
  }
  writeFileSync(file, `${doc.slice(0, from + markers.start.length)}\n${section}\n${doc.slice(to)}`);
}
