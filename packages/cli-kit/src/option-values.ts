import { UsageError } from './usage-error.js';

/** The range a numeric option must be in; the message names it. */
export interface NumberRule {
  /** The value when the option is absent. */
  default: number;
  /** Whole numbers only. @default false */
  integer?: boolean;
  /** Smallest value allowed. @default -Infinity */
  min?: number;
  /** The value must be above this one (exclusive), e.g. 0 for a rate. @default none */
  above?: number;
  /** Largest value allowed. @default Infinity */
  max?: number;
}

function describeRule(rule: NumberRule): string {
  const kind = rule.integer ? 'a whole number' : 'a number';
  const { min, above, max } = rule;
  if (min !== undefined && max !== undefined) return `${kind} from ${min} to ${max}`;
  if (above !== undefined) return `${kind} above ${above}${max === undefined ? '' : ` and at most ${max}`}`;
  if (min !== undefined) return `${kind} >= ${min}`;
  if (max !== undefined) return `${kind} <= ${max}`;
  return kind;
}

/**
 * The number a string option holds, checked against `rule`; `rule.default` when `raw` is undefined.
 * Throws a UsageError such as `--rate must be a number above 0 and at most 100000, got "fast"`.
 *
 * @example readNumber('--count', values.count, { default: 1, integer: true, min: 1, max: 99 })
 */
export function readNumber(option: string, raw: string | undefined, rule: NumberRule): number {
  if (raw === undefined) return rule.default;
  const value = raw.trim() === '' ? Number.NaN : Number(raw);
  const ok = Number.isFinite(value)
    && (!rule.integer || Number.isInteger(value))
    && (rule.min === undefined || value >= rule.min)
    && (rule.above === undefined || value > rule.above)
    && (rule.max === undefined || value <= rule.max);
  if (!ok) throw new UsageError(`${option} must be ${describeRule(rule)}, got "${raw}"`);
  return value;
}

/**
 * A string option converted by `convert` (the rule that already exists for such values, e.g.
 * discovery-client's `parseDuration`); whatever `convert` throws becomes a UsageError
 * `<option> must be <expected>, got "<raw>"`. `fallback` when `raw` is undefined.
 *
 * @example readOption('--duration', values.duration, '10s', (v) => parseDuration('--duration', v), 'a duration such as 500ms, 40s or 2m')
 */
export function readOption<T>(option: string, raw: string | undefined, fallback: string, convert: (value: string) => T, expected: string): T {
  const value = raw ?? fallback;
  try {
    return convert(value);
  } catch {
    throw new UsageError(`${option} must be ${expected}, got "${value}"`);
  }
}

/** One of `choices`, or a UsageError listing them; `fallback` when `raw` is undefined. */
export function readChoice<const C extends string>(option: string, raw: string | undefined, choices: readonly C[], fallback: C): C {
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) throw new UsageError(`${option} must be ${choices.join(' or ')}, got "${raw}"`);
  return raw as C;
}
