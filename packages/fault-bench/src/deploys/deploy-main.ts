#!/usr/bin/env node
/**
 * `npm run bench:deploys [-- options]`: every deploy scenario × every contender × repetitions, contenders
 * interleaved in rotated order; per-run summaries under results/, a table and a plot per scenario in
 * docs/benchmarks.md (between the deploy-bench markers) and docs/fault-bench/deploy-<scenario>.svg.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopAll, stopAllOnSignals } from 'process-supervisor';
import { DEFAULT_REPS, RATE_FOR_DEPLOYS } from '../config.js';
import { parseCommandLine, readNumber } from 'cli-kit';
import { list, machine, readJson, writeLatest } from '../invocation.js';
import { rotation } from '../plan.js';
import { renderSvg } from '../plots.js';
import { ensureProxies } from '../proxies/install.js';
import { writeSection } from '../report.js';
import { deployPlotSpec } from './deploy-plots.js';
import { DEPLOY_END_MARKER, DEPLOY_START_MARKER, renderDeploySection, type DeployScenarioResults } from './deploy-report.js';
import { DEPLOY_CONTENDERS, runDeploy, type DeployContender, type DeployRunSummary } from './deploy-run.js';
import { DEPLOY_SCENARIOS, DEPLOY_SCENARIO_NAMES } from './deploy-scenarios.js';

const PACKAGE = fileURLToPath(new URL('../../', import.meta.url));
const REPO = path.resolve(PACKAGE, '../..');
const RESULTS = path.join(PACKAGE, 'results');
const DOCS = path.join(REPO, 'docs', 'benchmarks.md');
const PLOTS = path.join(REPO, 'docs', 'fault-bench');
/** Starting dev-consul and the instances, and stopping them, per run on a quiet machine, s (for the estimate). */
const OVERHEAD_PER_RUN_S = 6;

const USAGE = `usage: npm run bench:deploys -- [options]   (or node packages/fault-bench/dist/deploys/deploy-main.js [options])

Rolling update and blue/green cut-over of real ratings instances under load, through discovery-client (make roll,
make cutover), nginx (upstreams rewritten, nginx -s reload) and HAProxy (runtime API); rewrites the deploy-bench
section of docs/benchmarks.md and docs/fault-bench/deploy-*.svg.

  --scenario a,b      only these scenarios: ${DEPLOY_SCENARIO_NAMES.join(', ')}
  --contenders a,b    only these contenders: ${DEPLOY_CONTENDERS.join(', ')}
  --reps N            repetitions per cell (default ${DEFAULT_REPS})
  --quick             one repetition
  --rate N            requests per second (default ${RATE_FOR_DEPLOYS})
  --no-docs           leave docs/benchmarks.md, the plots and results/latest as they are
  --render            run nothing: rewrite the docs section and the plots from results/latest
  -h, --help          this text`;

function latestFile(scenario: string): string {
  return path.join(RESULTS, 'latest', `deploy-${scenario}.json`);
}

async function writeDocs(): Promise<void> {
  const all = DEPLOY_SCENARIO_NAMES.map((name) => readJson<DeployScenarioResults>(latestFile(name))).filter((r): r is DeployScenarioResults => r !== undefined);
  mkdirSync(PLOTS, { recursive: true });
  for (const results of all) {
    const svg = await renderSvg(deployPlotSpec(`${results.scenario}: ${DEPLOY_SCENARIOS[results.scenario].title}`, results.runs));
    writeFileSync(path.join(PLOTS, `deploy-${results.scenario}.svg`), svg);
  }
  writeSection(DOCS, renderDeploySection(all, (s) => `fault-bench/deploy-${s}.svg`), { start: DEPLOY_START_MARKER, end: DEPLOY_END_MARKER });
  console.log(`wrote ${path.relative(REPO, DOCS)} and ${all.length} plot(s) under ${path.relative(REPO, PLOTS)}`);
}

function describe(summary: DeployRunSummary): string {
  const f = summary.figures;
  const versions = Object.entries(f.versions).map(([v, n]) => `${v}: ${n}`).join(', ');
  return [
    `failed ${f.failed}`, `slow ${f.slow}`, `p99 ${f.latency.p99.toFixed(1)} ms`, `max ${f.latency.max.toFixed(0)} ms`, versions,
    `flicker ${f.flickerMs === null ? 'none' : `${f.flickerMs.toFixed(0)} ms`}`, `old after ${f.oldAfterDeploy}`, `deploy ${(f.deployMs / 1000).toFixed(2)} s`,
    `busy ${summary.cpu.machineBusyMean.toFixed(0)} %${summary.saturated ? ' SATURATED' : ''}`,
    ...(summary.deployError ? [`DEPLOY FAILED: ${summary.deployError}`] : []),
  ].join(', ');
}

async function main(): Promise<void> {
  const { values, scenarios, contenders, reps, rate } = parseCommandLine({
    program: 'bench:deploys',
    usage: USAGE,
    options: {
      scenario: { type: 'string' },
      contenders: { type: 'string' },
      reps: { type: 'string' },
      rate: { type: 'string' },
      quick: { type: 'boolean', default: false },
      render: { type: 'boolean', default: false },
      'no-docs': { type: 'boolean', default: false },
    },
  }, ({ values }) => ({
    values,
    scenarios: list(values.scenario, DEPLOY_SCENARIO_NAMES, 'scenario') ?? DEPLOY_SCENARIO_NAMES,
    contenders: list<DeployContender>(values.contenders, DEPLOY_CONTENDERS, 'contender') ?? [...DEPLOY_CONTENDERS],
    reps: values.quick ? 1 : readNumber('--reps', values.reps, { default: DEFAULT_REPS, integer: true, min: 1 }),
    rate: readNumber('--rate', values.rate, { default: RATE_FOR_DEPLOYS, above: 0, max: 20_000 }),
  }));
  if (values.render) {
    await writeDocs();
    return;
  }
  stopAllOnSignals();
  const proxies = ensureProxies(contenders.filter((c): c is 'nginx' | 'haproxy' => c !== 'library'));
  const command = `npm run bench:deploys${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const totalRuns = scenarios.length * contenders.length * reps;
  const estimate = scenarios.reduce((a, s) => a + contenders.length * (DEPLOY_SCENARIOS[s].endMs / 1000 + OVERHEAD_PER_RUN_S), 0) * reps;
  console.log(`${totalRuns} runs (${scenarios.join(', ')} × ${contenders.join(', ')} × ${reps}) at ${rate} requests/s, about ${(estimate / 60).toFixed(0)} min on a quiet machine`);

  const runDir = path.join(RESULTS, 'runs', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(runDir, { recursive: true });
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const loadStart = os.loadavg()[0] ?? 0;
  const summaries: DeployRunSummary[] = [];
  for (let rep = 1; rep <= reps; rep++) {
    for (const [index, name] of scenarios.entries()) {
      for (const contender of rotation(contenders, rep - 1 + index)) {
        const { summary } = await runDeploy({ scenario: DEPLOY_SCENARIOS[name], contender, rep, rate, proxies });
        summaries.push(summary);
        writeFileSync(path.join(runDir, `deploy-${name}-${contender}-${rep}.json`), `${JSON.stringify(summary)}\n`);
        const elapsed = (performance.now() - started) / 1000;
        console.log(`[${summaries.length}/${totalRuns}, ${(elapsed / 60).toFixed(1)} min] ${name} ${contender} #${rep}: ${describe(summary)}`);
      }
    }
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const info = machine(command, reps, startedAt, wallSeconds, loadStart, proxies);
  console.log(`${totalRuns} runs in ${(wallSeconds / 60).toFixed(1)} min; summaries in ${path.relative(REPO, runDir)}`);
  const failedDeploys = summaries.filter((s) => s.deployError).length;
  // a run for a look (--no-docs) leaves the results the docs are built from as they are
  if (!values['no-docs']) {
    for (const name of scenarios) writeLatest(latestFile(name), name, info, summaries.filter((s) => s.scenario === name));
    await writeDocs();
  }
  if (failedDeploys) {
    console.error(`${failedDeploys} deploy(s) failed: see the runs above`);
    process.exitCode = 1;
  }
}

main().catch(async (error: unknown) => {
  console.error(error);
  await stopAll();
  process.exit(1);
});
