/**
 * Consul's `StatusHandler`: damps probe results with `SuccessBeforePassing`, `FailuresBeforeWarning`
 * and `FailuresBeforeCritical` (HTTP, TCP and script checks; never TTL checks). A result that is not
 * propagated leaves the check's status as it was.
 */
import type { CheckReporter } from './check-runner.js';

/** The thresholds, as registered (0 = propagate at once). */
export interface Thresholds {
  successBeforePassing: number;
  failuresBeforeWarning: number;
  failuresBeforeCritical: number;
}

/** Wraps `report` so consecutive-result thresholds apply. */
export function withThresholds(report: CheckReporter, thresholds: Thresholds): CheckReporter {
  const { successBeforePassing, failuresBeforeCritical } = thresholds;
  // Consul defaults FailuresBeforeWarning to FailuresBeforeCritical when unset.
  const failuresBeforeWarning = thresholds.failuresBeforeWarning > 0 ? thresholds.failuresBeforeWarning : failuresBeforeCritical;
  let successes = 0;
  let failures = 0;
  return (status, output) => {
    if (status === 'passing' || status === 'warning') {
      successes++;
      failures = 0;
      if (successes >= successBeforePassing) report(status, output);
      return;
    }
    failures++;
    successes = 0;
    if (failures >= failuresBeforeCritical) report('critical', output);
    else if (failures >= failuresBeforeWarning) report('warning', output);
  };
}
