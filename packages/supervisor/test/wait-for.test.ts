import { describe, expect, it } from '@jest/globals';
import { WaitTimeoutError, isWaitTimeoutError, waitFor } from '../src/index.js';

describe('waitFor', () => {
  it('resolves with the first truthy value of an async predicate', async () => {
    let calls = 0;
    const value = await waitFor(async () => (++calls === 3 ? { calls } : undefined), { intervalMs: 1, what: 'the third call' });
    expect(value).toEqual({ calls: 3 });
  });

  it('counts a throw as not yet', async () => {
    let calls = 0;
    await expect(waitFor(() => {
      if (++calls < 3) throw new Error('ECONNREFUSED');
      return true;
    }, { intervalMs: 1, what: 'an answer' })).resolves.toBe(true);
  });

  it('names what it waited for and keeps the last error as the cause when it times out', async () => {
    const error = await waitFor(() => { throw new Error('ECONNREFUSED'); }, { timeoutMs: 100, intervalMs: 10, what: 'the registry' }).catch((e: unknown) => e);
    expect(isWaitTimeoutError(error)).toBe(true);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as WaitTimeoutError).message).toBe('timed out after 0.1 s waiting for the registry; last error: ECONNREFUSED');
    expect((error as WaitTimeoutError).code).toBe('ERR_WAIT_TIMEOUT');
    expect(((error as WaitTimeoutError).cause as Error).message).toBe('ECONNREFUSED');
  });

  it('calls the predicate once with a zero timeout, and rejects a bad option with a TypeError', async () => {
    await expect(waitFor(() => false, { timeoutMs: 0, what: 'never' })).rejects.toThrow('timed out after 0 s waiting for never');
    await expect(waitFor(() => true, { timeoutMs: -1, what: 'x' })).rejects.toThrow(new TypeError('waitFor: timeoutMs must be a number of ms >= 0, got -1'));
    await expect(waitFor(() => true, { intervalMs: Number.NaN, what: 'x' })).rejects.toThrow(TypeError);
  });
});
