import { describe, expect, it } from '@jest/globals';
import { SERVICE_ENTRY_SCHEMA, compileFilter } from '../../src/filter.js';

const entry = {
  Node: { Node: 'n1', Meta: { zone: 'a' } },
  Service: { ID: 'web-1', Service: 'web', Tags: ['v1', 'canary'], Meta: { version: '1.2' }, Port: 80, EnableTagOverride: false },
  Checks: [{ Status: 'passing', CheckID: 'serfHealth' }, { Status: 'warning', CheckID: 'service:web-1' }],
};

describe('bexpr subset', () => {
  const holds = (expr: string): boolean => compileFilter(expr, SERVICE_ENTRY_SCHEMA)(entry);

  it('evaluates matches over fields, lists, maps and booleans', () => {
    expect(holds('Service.Tags contains canary')).toBe(true);
    expect(holds('Service.Tags not contains canary')).toBe(false);
    expect(holds('Service.Meta.version == "1.2"')).toBe(true);
    expect(holds('Node.Meta.zone != b')).toBe(true);
    expect(holds('Checks.Status == warning')).toBe(true);
    expect(holds('Checks.Status != critical')).toBe(true);
    expect(holds('Service.EnableTagOverride == false')).toBe(true);
    expect(holds('Service.Port == 80 and (Service.Tags contains v2 or "v1" in Service.Tags)')).toBe(true);
    expect(holds('not Service.Tags contains v1')).toBe(false);
    expect(holds('Service.Meta contains version')).toBe(true);
    expect(holds('Service.Meta.missing is empty')).toBe(true);
    expect(holds('Service.Meta.missing != x')).toBe(true);
    expect(holds('Service.ID matches `^web-\\d$`')).toBe(true);
  });

  it('rejects bad expressions and selectors with the evaluator prefix', () => {
    for (const bad of ['', 'Service.Tags ==', '(Service.Port == 1', 'Service.Port = 1', 'Service.Nope == 1', 'Service.Tags contains', 'a b c']) {
      expect(() => compileFilter(bad, SERVICE_ENTRY_SCHEMA)).toThrow(/^Failed to create boolean expression evaluator: /);
    }
  });
});
