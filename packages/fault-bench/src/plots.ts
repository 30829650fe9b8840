/**
 * One SVG per scenario, rendered in Node with vega-lite compiled to vega: per second of the schedule, the
 * p99 latency (log scale), the slow requests and the failed requests of every contender (median over the
 * repetitions), with the fault steps marked. The overload scenarios (issue 17) plot their own per-second
 * figures instead: good answers, the p99 of the good ones, attempts per request.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { RunSummary } from './run.js';
import { median } from './stats.js';

interface Point {
  contender: string;
  second: number;
  p99: number;
  slow: number;
  failed: number;
}

/** A point of an overload plot: null where a second had no such figure (no good answer, no attempt records). */
interface OverloadPoint {
  contender: string;
  second: number;
  good: number;
  goodP99: number | null;
  attempts: number | null;
}

function overloadPoints(runs: readonly RunSummary[]): OverloadPoint[] {
  const result: OverloadPoint[] = [];
  for (const contender of [...new Set(runs.map((r) => r.contender))]) {
    const list = runs.filter((r) => r.contender === contender && r.overload);
    if (!list.length) continue;
    const seconds = Math.max(...list.map((r) => r.overload!.perSecond.good.length));
    for (let s = 0; s <= seconds; s++) {
      const k = Math.min(s, seconds - 1);
      const known = (pick: (r: RunSummary) => Array<number | null>): number | null => {
        const values = list.map((r) => pick(r)[k]).filter((v): v is number => v !== null && v !== undefined);
        return values.length ? median(values) : null;
      };
      result.push({
        contender,
        second: s,
        good: known((r) => r.overload!.perSecond.good) ?? 0,
        goodP99: known((r) => r.overload!.perSecond.goodP99),
        attempts: known((r) => r.overload!.perSecond.attemptsPerRequest),
      });
    }
  }
  return result;
}

function points(runs: readonly RunSummary[]): Point[] {
  const byContender = new Map<string, RunSummary[]>();
  for (const run of runs) byContender.set(run.contender, [...(byContender.get(run.contender) ?? []), run]);
  const result: Point[] = [];
  for (const [contender, list] of byContender) {
    const seconds = Math.max(...list.map((r) => r.figures.perSecond.p99.length));
    // one more point at the end so that the step line draws the last second too
    for (let s = 0; s <= seconds; s++) {
      const at = (pick: (r: RunSummary) => number[]): number => median(list.map((r) => pick(r)[Math.min(s, seconds - 1)] ?? 0));
      result.push({
        contender,
        second: s,
        p99: Math.max(0.1, at((r) => r.figures.perSecond.p99)),
        slow: at((r) => r.figures.perSecond.slow),
        failed: at((r) => r.figures.perSecond.failed),
      });
    }
  }
  return result;
}

export function plotSpec(title: string, runs: readonly RunSummary[]): TopLevelSpec {
  const steps = (runs[0]?.steps ?? []).map((s) => ({ t: s.atMs / 1000, action: s.action }));
  const data = points(runs);
  const end = Math.max(1, ...data.map((p) => p.second));
  const x = { field: 'second', type: 'quantitative' as const, title: 'second of the run', scale: { domain: [0, end], nice: false } };
  const color = { field: 'contender', type: 'nominal' as const, title: 'contender', legend: { labelLimit: 200 } };
  const countAxis = (field: 'slow' | 'failed') => ({
    scale: { domain: [0, Math.max(1, ...data.map((p) => p[field]))] },
    axis: { format: 'd', tickMinStep: 1 },
  });
  const rules = { data: { values: steps }, mark: { type: 'rule' as const, strokeDash: [4, 3], color: '#888' }, encoding: { x: { field: 't', type: 'quantitative' as const } } };
  const labels = {
    data: { values: steps },
    mark: { type: 'text' as const, align: 'left' as const, dx: 3, dy: -4, color: '#555', fontSize: 10 },
    encoding: { x: { field: 't', type: 'quantitative' as const }, y: { value: 0 }, text: { field: 'action', type: 'nominal' as const } },
  };
  const panel = (field: 'p99' | 'slow' | 'failed', label: string, log: boolean) => ({
    width: 620,
    height: 150,
    layer: [
      {
        mark: { type: 'line' as const, interpolate: 'step-after' as const, strokeWidth: 1.5 },
        encoding: { x, y: { field, type: 'quantitative' as const, title: label, ...(field === 'p99' ? (log ? { scale: { type: 'log' as const } } : {}) : countAxis(field)) }, color },
      },
      ...(steps.length ? [rules, labels] : []),
    ],
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: data },
    vconcat: [panel('p99', 'p99 per second (ms, log)', true), panel('slow', 'requests > 500 ms per second', false), panel('failed', 'failed requests per second', false)],
  } as TopLevelSpec;
}

/** The overload scenarios' plot: good answers per second (the fleet's capacity as a rule), their p99, attempts per request. */
export function overloadPlotSpec(title: string, runs: readonly RunSummary[], capacityPerSecond: number | undefined): TopLevelSpec {
  const steps = (runs[0]?.steps ?? []).map((s) => ({ t: s.atMs / 1000, action: s.action }));
  const data = overloadPoints(runs);
  const end = Math.max(1, ...data.map((p) => p.second));
  const x = { field: 'second', type: 'quantitative' as const, title: 'second of the run', scale: { domain: [0, end], nice: false } };
  const color = { field: 'contender', type: 'nominal' as const, title: 'contender', legend: { labelLimit: 200 } };
  const marks = steps.length
    ? [
      { data: { values: steps }, mark: { type: 'rule' as const, strokeDash: [4, 3], color: '#888' }, encoding: { x: { field: 't', type: 'quantitative' as const } } },
      {
        data: { values: steps },
        mark: { type: 'text' as const, align: 'left' as const, dx: 3, dy: -4, color: '#555', fontSize: 10 },
        encoding: { x: { field: 't', type: 'quantitative' as const }, y: { value: 0 }, text: { field: 'action', type: 'nominal' as const } },
      },
    ]
    : [];
  const line = (field: 'good' | 'goodP99' | 'attempts', label: string, scale: object) => ({
    mark: { type: 'line' as const, interpolate: 'step-after' as const, strokeWidth: 1.5 },
    transform: [{ filter: `datum.${field} !== null` }],
    encoding: { x, y: { field, type: 'quantitative' as const, title: label, scale }, color },
  });
  const capacity = capacityPerSecond !== undefined && Number.isFinite(capacityPerSecond)
    ? [{ data: { values: [{ capacity: capacityPerSecond }] }, mark: { type: 'rule' as const, color: '#c33', strokeDash: [2, 2] }, encoding: { y: { field: 'capacity', type: 'quantitative' as const } } }]
    : [];
  const panel = (layer: object[]) => ({ width: 620, height: 150, layer: [...layer, ...marks] });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: data },
    vconcat: [
      panel([line('good', 'good answers per second', { zero: true }), ...capacity]),
      panel([line('goodP99', 'p99 of the good ones (ms, log)', { type: 'log' })]),
      panel([line('attempts', 'attempts per request', { zero: true })]),
    ],
  } as TopLevelSpec;
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
