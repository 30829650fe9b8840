import { describe, expect, it } from '@jest/globals';
import { withThresholds } from '../../src/checks/status-handler.js';

describe('SuccessBeforePassing / FailuresBeforeWarning / FailuresBeforeCritical', () => {
  it('propagates only after enough consecutive results, warning before critical', () => {
    const seen: string[] = [];
    const report = withThresholds((status) => seen.push(status), { successBeforePassing: 2, failuresBeforeWarning: 1, failuresBeforeCritical: 3 });
    report('passing', '');
    expect(seen).toEqual([]);
    report('passing', '');
    expect(seen).toEqual(['passing']);
    report('critical', '');
    report('critical', '');
    expect(seen).toEqual(['passing', 'warning', 'warning']);
    report('critical', '');
    expect(seen).toEqual(['passing', 'warning', 'warning', 'critical']);
    report('passing', '');
    expect(seen).toHaveLength(4);
  });

  it('passes everything through with zero thresholds', () => {
    const seen: string[] = [];
    const report = withThresholds((status) => seen.push(status), { successBeforePassing: 0, failuresBeforeWarning: 0, failuresBeforeCritical: 0 });
    report('critical', '');
    report('warning', '');
    report('passing', '');
    expect(seen).toEqual(['critical', 'warning', 'passing']);
  });
});
