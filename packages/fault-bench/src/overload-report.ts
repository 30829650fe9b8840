/**
 * The overload scenarios' tables in the docs section (issue 17): per contender the figures per phase, and each
 * done-when target of issue 17 beside the figure it is judged on (on the median over the repetitions).
 */
import { throughput } from './capacity.js';
import { GOOD_SHARE, GOOD_WITHIN_MS, INSTANCE_COUNT, SLOW_MS } from './config.js';
import type { PhaseFigures } from './overload-figures.js';
import { cell, count, ms, type Format } from './table-cells.js';
import type { RunSummary } from './run.js';
import { SCENARIOS, type ScenarioName } from './scenarios.js';
import { spread } from './stats.js';

/** A done-when target of issue 17: its column's header, the figure of a run it is judged on, and the rule. */
export interface Target {
  readonly header: string;
  readonly value: (run: RunSummary) => number | null | undefined;
  readonly format: Format;
  /** Whether a value meets the target. A value of null (never happened within the run) misses it; undefined (not known) is not judged. */
  readonly met: (value: number) => boolean;
}

type Phase = 'before' | 'during' | 'after';

const perSecond = (p: PhaseFigures): number => p.good / ((p.to - p.from) / 1000);
const phases = (run: RunSummary): PhaseFigures[] => (run.overload ? [run.overload.before, run.overload.during, run.overload.after] : []);
/** The sum, or undefined (not known: nothing judged) when a phase lacks the figure (a proxy's ejections). */
const sumOf = (values: Array<number | null>): number | undefined => (values.some((v) => v === null) || values.length === 0 ? undefined : values.reduce<number>((a, v) => a + v!, 0));
const times: Format = (v) => `${v.toFixed(2)} ×`;
const rate: Format = (v) => `${count(v)}/s`;

/** Issue 17's targets for `scenario` (none for `tail`, which is there to measure hedging later). */
export function overloadTargets(scenario: ScenarioName): Target[] {
  const capacity = SCENARIOS[scenario].capacity;
  const full = capacity ? throughput(capacity, INSTANCE_COUNT) : 0;
  const recovered: Target = {
    header: `until every second is ≥ ${GOOD_SHARE * 100} % good after it (≤ 1 s)`,
    value: (r) => r.overload?.recoveryMs,
    format: ms,
    met: (v) => v <= 1000,
  };
  switch (scenario) {
    case 'dip': {
      const left = capacity ? throughput(capacity, INSTANCE_COUNT - 1) : 0;
      return [
        { header: `good while paused (≥ 90 % of the ${left}/s left: ${0.9 * left}/s)`, value: (r) => r.overload && perSecond(r.overload.during), format: rate, met: (v) => v >= 0.9 * left },
        recovered,
        { header: 'attempts per request, most of the three phases (≤ 1.1)', value: (r) => maxOf(phases(r).map((p) => p.attemptsPerRequest)), format: (v) => v.toFixed(2), met: (v) => v <= 1.1 },
      ];
    }
    case 'surge':
      return [
        { header: `good during the surge (≥ 90 % of the capacity: ${0.9 * full}/s)`, value: (r) => r.overload && perSecond(r.overload.during), format: rate, met: (v) => v >= 0.9 * full },
        {
          header: 'good p99 during the surge / before it (≤ 2 ×)',
          value: (r) => (r.overload?.during.goodP99 && r.overload.before.goodP99 ? r.overload.during.goodP99 / r.overload.before.goodP99 : null),
          format: times,
          met: (v) => v <= 2,
        },
        recovered,
      ];
    case 'freeze':
      return [
        { header: 'ejections (none)', value: (r) => sumOf(phases(r).map((p) => p.ejections)), format: count, met: (v) => v === 0 },
        { header: 'attempts counted failed (none: every instance answers in 50 ms)', value: (r) => sumOf(phases(r).map((p) => p.failedAttempts)), format: count, met: (v) => v === 0 },
        { header: `requests > ${SLOW_MS} ms after the backlog drained (none)`, value: (r) => r.overload?.drain.slowAfter, format: count, met: (v) => v === 0 },
      ];
    default:
      return [];
  }
}

function maxOf(values: Array<number | null>): number | undefined {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? Math.max(...known) : undefined;
}

/** `median (min–max)` of a figure, with `met` or `**missed**` judged on the median. */
function targetCell(runs: readonly RunSummary[], target: Target): string {
  const s = spread(runs.map(target.value));
  if (s.n === 0) return '—';
  const verdict = s.median === null ? '**missed**' : target.met(s.median) ? 'met' : '**missed**';
  return `${cell(s, target.format)} ${verdict}`;
}

/** `before / during / after` medians of a phase figure. */
function phaseCell(runs: readonly RunSummary[], pick: (p: PhaseFigures) => number | null, format: Format): string {
  return (['before', 'during', 'after'] as Phase[])
    .map((phase) => {
      const s = spread(runs.map((r) => (r.overload ? pick(r.overload[phase]) : undefined)));
      return s.median === null ? '—' : format(s.median);
    })
    .join(' / ');
}

/** The table of one overload scenario: the targets first, then the figures per phase (medians). */
export function overloadTable(scenario: ScenarioName, runs: readonly RunSummary[], contenders: readonly string[]): string[] {
  const targets = overloadTargets(scenario);
  const isTail = scenario === 'tail';
  const figures: Array<[string, (rs: readonly RunSummary[]) => string]> = [
    ['failed (before / during / after)', (rs) => phaseCell(rs, (p) => p.failed, count)],
    ...(isTail
      ? ([
        ['good p50', (rs) => phaseCell(rs, (p) => p.goodP50, ms)],
        ['good p99', (rs) => phaseCell(rs, (p) => p.goodP99, ms)],
        ['good p99.9', (rs) => phaseCell(rs, (p) => p.goodP999, ms)],
      ] as Array<[string, (rs: readonly RunSummary[]) => string]>)
      : ([['good p99', (rs) => phaseCell(rs, (p) => p.goodP99, ms)]] as Array<[string, (rs: readonly RunSummary[]) => string]>)),
    ['attempts per request', (rs) => phaseCell(rs, (p) => p.attemptsPerRequest, (v) => v.toFixed(2))],
    ['arrivals per request', (rs) => phaseCell(rs, (p) => p.arrivalsPerRequest, (v) => v.toFixed(2))],
    ['ejections', (rs) => phaseCell(rs, (p) => p.ejections, count)],
  ];
  if (scenario === 'freeze') figures.push(['backlog drained after the freeze', (rs) => cell(spread(rs.map((r) => r.overload && r.overload.drain.atMs - r.overload.during.to)), ms)]);
  const headers = ['contender', ...targets.map((t) => t.header), ...figures.map(([h]) => h), 'runs'];
  const lines = [`| ${headers.join(' | ')} |`, `|${headers.map((_, i) => (i === 0 || i === headers.length - 1 ? '---' : '---:')).join('|')}|`];
  for (const c of contenders) {
    const rs = runs.filter((r) => r.contender === c);
    const saturated = rs.filter((r) => r.saturated).length;
    lines.push(`| ${[c, ...targets.map((t) => targetCell(rs, t)), ...figures.map(([, f]) => f(rs)), saturated ? `${rs.length} (**${saturated} saturated**)` : String(rs.length)].join(' | ')} |`);
  }
  return lines;
}

/** What the overload tables' words mean: one paragraph above the first of them. */
export function overloadLegend(): string {
  return (
    `The overload scenarios (issue 17) run only when named (\`--scenario dip,surge,freeze,tail\`). "Good": a 2xx answer within ${GOOD_WITHIN_MS / 1000} s ` +
    'of the intended send time; before / during / after: the requests due before the fault, during it (the pause, the surge, the freeze, the tail) ' +
    'and after it. A target is judged on the median over the repetitions (min–max in parentheses). Attempts per request come from the contender\'s ' +
    'records (the library: what undici wrote to a socket; the proxies: their logs, HAProxy\'s retries inferred); arrivals per request from the ' +
    'instances\' own count; ejections are breaker openings of the in-process contenders (the proxies report none: —). A proxy answering 503 ' +
    'without trying an instance (a queue timeout, no instance left) makes fewer attempts than requests.'
  );
}
