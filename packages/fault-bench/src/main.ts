#!/usr/bin/env node
/**
 * `npm run bench:faults [-- options]`: every scenario × every contender × repetitions, interleaved in
 * rotated order; per-run summaries under results/, tables and plots into docs/benchmarks.md.
 *
 *   --scenario pause[,kill]    only these scenarios (default: all but the overload ones: dip, surge, freeze)
 *   --contenders a,b           only these contenders (default: all)
 *   --reps N                   repetitions per cell (default 3)
 *   --quick                    one repetition
 *   --crosscheck               compare the generator with autocannon instead (steady state, one instance)
 *   --no-docs                  do not rewrite docs/benchmarks.md and its plots, nor results/latest
 *   --results DIR              where results go (default packages/fault-bench/results)
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopAll, stopAllOnSignals } from 'process-supervisor';
import { DEFAULT_REPS, INSTANCE_COUNT, SLOW_MS } from './config.js';
import { parseCommandLine, readNumber } from 'cli-kit';
import { list, machine, readJson, writeLatest } from './invocation.js';
import { CONTENDERS, CONTENDER_NAMES } from './contenders.js';
import { planned, rotation } from './plan.js';
import { crosscheck } from './crosscheck.js';
import { overloadPlotSpec, renderSvg, plotSpec } from './plots.js';
import { throughput } from './capacity.js';
import { ensureProxies } from './proxies/install.js';
import type { ProxyKind } from './proxies/proxy.js';
import { renderSection, writeSection, type CrosscheckResult, type ScenarioResults } from './report.js';
import { runOne, type RunSummary } from './run.js';
import { SCENARIOS, SCENARIO_NAMES, type ScenarioName } from './scenarios.js';

const PACKAGE = fileURLToPath(new URL('../', import.meta.url));
const REPO = path.resolve(PACKAGE, '../..');
const RESULTS = path.join(PACKAGE, 'results');
const DOCS = path.join(REPO, 'docs', 'benchmarks.md');
const PLOTS = path.join(REPO, 'docs', 'fault-bench');
/** Setup, drain and teardown of a run on a quiet machine, s (for the time estimate). */
const OVERHEAD_PER_RUN_S = 1.2;

const USAGE = `usage: npm run bench:faults -- [options]   (or node packages/fault-bench/dist/main.js [options])

Runs every scenario × every contender × repetitions, contenders interleaved in rotated order, and rewrites the
fault-bench section of docs/benchmarks.md and docs/fault-bench/*.svg.

  --scenario a,b      only these scenarios: ${SCENARIO_NAMES.join(', ')}
                      (default: all but the overload ones, ${SCENARIO_NAMES.filter((n) => SCENARIOS[n].capacity).join(', ')})
  --contenders a,b    only these contenders: ${CONTENDER_NAMES.join(', ')}
  --reps N            repetitions per cell (default ${DEFAULT_REPS})
  --quick             one repetition
  --crosscheck        compare the load generator with autocannon (steady state, one instance)
  --no-docs           leave docs/benchmarks.md, the plots and results/latest as they are (the runs' summaries
                      still go to results/runs/<time>/)
  --results DIR       where the results go (default: packages/fault-bench/results)
  --render            run nothing: rewrite the docs section and the plots from results/latest
  -h, --help          this text`;

/** The overload figures in one line: before / during / after the fault, then the seconds after it. */
function describeOverload(o: NonNullable<RunSummary['overload']>): string {
  const phases = [o.before, o.during, o.after];
  const each = (pick: (p: (typeof phases)[number]) => number | null, format: (v: number) => string): string =>
    phases.map((p) => (pick(p) === null ? '–' : format(pick(p)!))).join('/');
  return [
    `good ${each((p) => p.good, String)} of ${each((p) => p.requests, String)} (before/during/after)`,
    `failed ${each((p) => p.failed, String)}`,
    `good p50/p99/p99.9 ${each((p) => p.goodP50, (v) => v.toFixed(0))} / ${each((p) => p.goodP99, (v) => v.toFixed(0))} / ${each((p) => p.goodP999, (v) => v.toFixed(0))} ms`,
    `attempts/request ${each((p) => p.attemptsPerRequest, (v) => v.toFixed(2))} (failed ${each((p) => p.failedAttempts, String)})`,
    `arrivals/request ${each((p) => p.arrivalsPerRequest, (v) => v.toFixed(2))}`,
    `ejections ${each((p) => p.ejections, String)}`,
    `recovery ${o.recoveryMs === null ? 'not within the run' : `${o.recoveryMs} ms`}`,
    `backlog drained ${(o.drain.atMs - o.during.to).toFixed(0)} ms after the fault, ${o.drain.slowAfter} requests > ${SLOW_MS} ms after that`,
    `good share per s after: ${o.afterShares.map((v) => (v === 1 ? '1' : v.toFixed(2))).join(' ')}`,
  ].join(', ');
}

function describe(summary: RunSummary): string {
  if (summary.overload) return `${describeOverload(summary.overload)}, busy ${summary.cpu.machineBusyMean.toFixed(0)} %${summary.saturated ? ' SATURATED' : ''}`;
  const f = summary.figures;
  const parts = [`failed ${f.failed}`, `slow ${f.slow}`, `steady p99 ${f.steady.p99.toFixed(1)} ms`];
  if (f.fault) parts.push(`fault p99 ${f.fault.p99.toFixed(1)} ms`);
  if (f.detectionMs !== undefined) parts.push(`detection ${f.detectionMs === null ? 'never' : `${f.detectionMs.toFixed(0)} ms`}`);
  if (f.probes !== undefined) parts.push(`probes ${f.probes}`);
  if (f.readmissionMs !== undefined) parts.push(`re-admission ${f.readmissionMs === null ? 'none' : `${f.readmissionMs.toFixed(0)} ms`}`);
  const ownGc = summary.saturationLagMs === undefined ? '' : ` (${summary.saturationLagMs.toFixed(1)} ms after the warm-up, besides its GC)`;
  parts.push(`send lag p99 ${f.sendLagP99.toFixed(1)} ms${ownGc}, generator ${(summary.cpu.processes['generator'] ?? 0).toFixed(0)} % of a core`);
  parts.push(`busy ${summary.cpu.machineBusyMean.toFixed(0)} %${summary.saturated ? ' SATURATED' : ''}`);
  return parts.join(', ');
}

/** Rewrites the docs section and the plots from every scenario's latest results (under `results`). */
async function writeDocs(results: string): Promise<void> {
  const latest = path.join(results, 'latest');
  mkdirSync(latest, { recursive: true });
  const all: ScenarioResults[] = [];
  for (const file of readdirSync(latest)) {
    const name = file.replace(/\.json$/, '') as ScenarioName;
    if (!SCENARIO_NAMES.includes(name)) continue;
    const results = readJson<ScenarioResults>(path.join(latest, file));
    if (results) all.push(results);
  }
  mkdirSync(PLOTS, { recursive: true });
  for (const results of all) {
    const scenario = SCENARIOS[results.scenario];
    const title = `${results.scenario}: ${scenario.title}`;
    // the dip's capacity is the fleet's: the plot's rule shows it, the table the share left while paused
    const spec = scenario.capacity ? overloadPlotSpec(title, results.runs, throughput(scenario.capacity, INSTANCE_COUNT)) : plotSpec(title, results.runs);
    const svg = await renderSvg(spec);
    writeFileSync(path.join(PLOTS, `${results.scenario}.svg`), svg);
  }
  const check = readJson<CrosscheckResult>(path.join(latest, 'crosscheck.json'));
  writeSection(DOCS, renderSection(all, check, (s) => `fault-bench/${s}.svg`));
  console.log(`wrote ${path.relative(REPO, DOCS)} and ${all.length} plot(s) under ${path.relative(REPO, PLOTS)}`);
}

async function main(): Promise<void> {
  const { values, scenarios, contenders, reps } = parseCommandLine({
    program: 'fault-bench',
    usage: USAGE,
    options: {
      scenario: { type: 'string' },
      contenders: { type: 'string' },
      reps: { type: 'string' },
      quick: { type: 'boolean', default: false },
      crosscheck: { type: 'boolean', default: false },
      render: { type: 'boolean', default: false },
      'no-docs': { type: 'boolean', default: false },
      results: { type: 'string' },
    },
  }, ({ values }) => ({
    values,
    // issue 17's overload scenarios run when named (they have no docs section yet)
    scenarios: list(values.scenario, SCENARIO_NAMES, 'scenario') ?? SCENARIO_NAMES.filter((n) => !SCENARIOS[n].capacity),
    contenders: list(values.contenders, CONTENDER_NAMES, 'contender') ?? CONTENDER_NAMES,
    reps: values.quick ? 1 : readNumber('--reps', values.reps, { default: DEFAULT_REPS, integer: true, min: 1 }),
  }));
  const results = path.resolve(values.results ?? RESULTS);
  if (values.render) {
    await writeDocs(results);
    return;
  }
  stopAllOnSignals();
  const command = `npm run bench:faults${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const writeDocsToo = !values['no-docs'];
  if (values.crosscheck) {
    const result = await crosscheck();
    console.log(JSON.stringify(result, null, 2));
    if (!writeDocsToo) return;
    mkdirSync(path.join(results, 'latest'), { recursive: true });
    writeFileSync(path.join(results, 'latest', 'crosscheck.json'), `${JSON.stringify(result, null, 2)}\n`);
    await writeDocs(results);
    return;
  }

  const plan = planned(scenarios, contenders);
  const totalRuns = plan.reduce((a, [, cs]) => a + cs.length, 0) * reps;
  const estimate = plan.reduce((a, [s, cs]) => a + cs.length * (SCENARIOS[s].endMs / 1000 + OVERHEAD_PER_RUN_S), 0) * reps;
  const proxyNames = [...new Set(contenders.map((c) => CONTENDERS[c].proxy).filter((p): p is ProxyKind => p !== undefined))];
  const proxies = ensureProxies(proxyNames);
  console.log(`${totalRuns} runs (${scenarios.join(', ')} × ${contenders.join(', ')} × ${reps}), about ${(estimate / 60).toFixed(0)} min on a quiet machine`);

  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const runDir = path.join(results, 'runs', stamp);
  mkdirSync(runDir, { recursive: true });
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const loadStart = os.loadavg()[0] ?? 0;
  const summaries: RunSummary[] = [];
  let done = 0;
  for (let rep = 1; rep <= reps; rep++) {
    for (const [index, [name, cs]] of plan.entries()) {
      for (const contender of rotation(cs, rep - 1 + index)) {
        const { summary } = await runOne({ scenario: SCENARIOS[name], contender, rep, proxies });
        summaries.push(summary);
        writeFileSync(path.join(runDir, `${name}-${contender}-${rep}.json`), `${JSON.stringify(summary)}\n`);
        done++;
        const elapsed = (performance.now() - started) / 1000;
        console.log(`[${done}/${totalRuns}, ${(elapsed / 60).toFixed(1)} min] ${name} ${contender} #${rep}: ${describe(summary)}`);
      }
    }
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const info = machine(command, reps, startedAt, wallSeconds, loadStart, proxies);
  console.log(`${totalRuns} runs in ${(wallSeconds / 60).toFixed(1)} min; summaries in ${path.relative(REPO, runDir)}`);
  // a run for a look (--no-docs) leaves the results the docs are built from as they are
  if (!writeDocsToo) return;
  for (const name of scenarios) writeLatest(path.join(results, 'latest', `${name}.json`), name, info, summaries.filter((s) => s.scenario === name));
  await writeDocs(results);
}

main().catch(async (error: unknown) => {
  console.error(error);
  await stopAll();
  process.exit(1);
});
