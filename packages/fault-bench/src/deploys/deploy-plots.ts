/**
 * One SVG per deploy scenario: for each contender (first repetition), per bin of the schedule, the p99 and the
 * highest latency (log scale) and the share of answers from the new version, with the deploy's steps marked.
 */
import type { TopLevelSpec } from 'vega-lite';
import { BIN_MS } from './deploy-figures.js';
import { DEPLOY_CONTENDERS, type DeployRunSummary } from './deploy-run.js';
import { NEW_VERSION } from './deploy-scenarios.js';

/** The steps worth a rule on the plot, with a short label. */
const LABELS: Record<string, string> = { passing: '+', retiring: '−', routed: '+', unrouted: '−', cutover: 'flip to ' };

/** Marks closer than this are drawn as one rule with their labels joined, ms. */
const JOIN_MS = 150;

/** `+r4` (routed to ratings-4), `−r1` (ratings-1 retired or taken out of the proxy), `flip to green`; near ones joined. */
function stepLabels(run: DeployRunSummary): Array<{ t: number; label: string }> {
  const steps: Array<{ t: number; label: string }> = [];
  let last: { atMs: number; step: { t: number; label: string } } | undefined;
  for (const m of run.marks) {
    const prefix = LABELS[m.what];
    if (prefix === undefined) continue;
    // a proxy's instance is routed (+) after it passes and unrouted (−) before it is retired: one label each
    if ((m.what === 'passing' || m.what === 'retiring') && run.contender !== 'library') continue;
    const label = `${prefix}${m.subject.replace(/^ratings-/, 'r')}`;
    if (last && m.atMs - last.atMs < JOIN_MS) {
      last.step.label += ` ${label}`;
    } else {
      last = { atMs: m.atMs, step: { t: m.atMs / 1000, label } };
      steps.push(last.step);
    }
  }
  return steps;
}

export function deployPlotSpec(title: string, runs: readonly DeployRunSummary[]): TopLevelSpec {
  const firsts = DEPLOY_CONTENDERS.map((c) => runs.find((r) => r.contender === c)).filter((r): r is DeployRunSummary => r !== undefined);
  const panels = firsts.map((run) => {
    const seconds = (i: number): number => (i * BIN_MS) / 1000;
    const latency = run.figures.perBin.p99.flatMap((p99, i) => [
      { t: seconds(i), series: 'p99', ms: Math.max(0.1, p99) },
      { t: seconds(i), series: 'max', ms: Math.max(0.1, run.figures.perBin.max[i] ?? 0) },
    ]);
    const share = run.figures.perBin.newShare.map((v, i) => ({ t: seconds(i), share: v, failed: run.figures.perBin.failed[i] ?? 0 }));
    const steps = stepLabels(run);
    const end = run.endMs / 1000;
    const x = { field: 't', type: 'quantitative' as const, title: null, scale: { domain: [0, end], nice: false } };
    const xLast = { ...x, title: `second of the run (${run.contender})` };
    const rules = [
      { data: { values: steps }, mark: { type: 'rule' as const, strokeDash: [4, 3], color: '#999' }, encoding: { x: { field: 't', type: 'quantitative' as const } } },
      {
        data: { values: steps },
        mark: { type: 'text' as const, align: 'left' as const, angle: 270, dx: 4, dy: -3, color: '#555', fontSize: 9 },
        encoding: { x: { field: 't', type: 'quantitative' as const }, y: { value: 4 }, text: { field: 'label', type: 'nominal' as const } },
      },
    ];
    return {
      vconcat: [
        {
          title: run.contender,
          width: 620,
          height: 120,
          layer: [
            {
              data: { values: latency },
              mark: { type: 'line' as const, interpolate: 'step-after' as const, strokeWidth: 1.2 },
              encoding: {
                x,
                y: { field: 'ms', type: 'quantitative' as const, title: `latency per ${BIN_MS} ms (ms, log)`, scale: { type: 'log' as const } },
                color: { field: 'series', type: 'nominal' as const, title: 'latency' },
              },
            },
            ...rules,
          ],
        },
        {
          width: 620,
          height: 60,
          layer: [
            {
              data: { values: share },
              mark: { type: 'area' as const, interpolate: 'step-after' as const, color: '#4c9a5b', opacity: 0.6 },
              encoding: { x, y: { field: 'share', type: 'quantitative' as const, title: `% ${NEW_VERSION}`, scale: { domain: [0, 100] } } },
            },
            rules[0]!,
          ],
        },
        {
          width: 620,
          height: 40,
          layer: [
            {
              data: { values: share },
              mark: { type: 'bar' as const, color: '#d62728' },
              encoding: {
                x: xLast,
                y: { field: 'failed', type: 'quantitative' as const, title: 'failed', scale: { domain: [0, Math.max(1, ...share.map((p) => p.failed))] }, axis: { tickCount: 2, format: 'd' } },
              },
            },
            rules[0]!,
          ],
        },
      ],
    };
  });
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title, vconcat: panels } as TopLevelSpec;
}
