import { describe, expect, it } from '@jest/globals';
import { backoffDelay } from '../../src/retry/backoff.js';
import { RetryBudget } from '../../src/retry/retry-budget.js';

describe('backoffDelay', () => {
  it('grows exponentially up to the ceiling, with jitter between half and all of it', () => {
    const opts = { initialMs: 100, maxMs: 1000 };
    expect(backoffDelay(1, opts, () => 0)).toBe(50);
    expect(backoffDelay(1, opts, () => 1)).toBe(100);
    expect(backoffDelay(3, opts, () => 1)).toBe(400);
    expect(backoffDelay(10, opts, () => 1)).toBe(1000);
    expect(backoffDelay(10, opts, () => 0)).toBe(500);
  });
});

describe('RetryBudget', () => {
  it('allows minPerSecond * window retries with no traffic, then refuses', () => {
    let now = 0;
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 1, windowMs: 10_000, now: () => now });
    let granted = 0;
    while (budget.tryWithdraw()) granted++;
    expect(granted).toBe(10);
    now += 10_000;
    expect(budget.tryWithdraw()).toBe(true);
  });

  it('adds 20 % of the calls of the window', () => {
    let now = 0;
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 0, now: () => now });
    for (let i = 0; i < 100; i++) budget.recordCall();
    let granted = 0;
    while (budget.tryWithdraw()) granted++;
    expect(granted).toBe(20);
    now += 5_000;
    expect(budget.tryWithdraw()).toBe(false);
    now += 5_001;
    for (let i = 0; i < 10; i++) budget.recordCall();
    expect(budget.available).toBe(2);
  });
});
