import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { DiscoveryClient, isColorName, isRegistryConfigError, parseConsulAddr, resolveConsulOptions } from '../../src/index.js';
import { resolveServiceOptions } from '../../src/service-options.js';

describe('options', () => {
  it('fills defaults: datawire preset and the balanced default', () => {
    const datawire = resolveServiceOptions({ breaker: { preset: 'datawire' } });
    expect(datawire.timeout).toBe(1000);
    expect(datawire.breaker).toMatchObject({ resetTimeout: 30_000, errorThresholdPercentage: 0, volumeThreshold: 0 });
    const plain = resolveServiceOptions(undefined);
    expect(plain.breaker).toMatchObject({ timeout: 1000, resetTimeout: 30_000, volumeThreshold: 5, errorThresholdPercentage: 50 });
    expect(plain.retry.limit).toBe(2);
    expect([...plain.retry.methods]).not.toContain('POST');
    expect(plain.transport).toBe('undici');
  });

  it('rejects bad values with a TypeError naming the option and the value', () => {
    expect(() => resolveServiceOptions({ timeout: -5 })).toThrow(new TypeError('Expected `timeout` to be a finite number >= 1, got -5'));
    expect(() => resolveServiceOptions({ breaker: { preset: 'netflix' as never } })).toThrow(
      "Expected `breaker.preset` to be one of 'default', 'datawire', got \"netflix\"",
    );
    expect(() => resolveServiceOptions({ retry: { limit: 1.5 } })).toThrow('`retry.limit`');
    expect(() => resolveServiceOptions({ transport: 'fetch' as never })).toThrow('`transport`');
    expect(() => resolveServiceOptions({ meta: { v: 1 as never } })).toThrow('`meta.v`');
    expect(() => new DiscoveryClient({ logger: false, consul: { port: 0 } })).toThrow('`consul.port`');
  });

  it('rejects an unknown (misspelt) option key with a TypeError naming it, at every level', () => {
    expect(() => resolveServiceOptions({ timout: 5 } as never)).toThrow(/Unknown option `timout`/);
    expect(() => resolveServiceOptions({ breaker: { resetTimout: 5 } } as never)).toThrow(/Unknown option `breaker.resetTimout`/);
    expect(() => resolveServiceOptions({ retry: { limt: 1 } } as never)).toThrow(/Unknown option `retry.limt`/);
    expect(() => resolveServiceOptions({ outlierDetection: { stall: { floor: 1 } } } as never)).toThrow(/`outlierDetection.stall.floor`/);
    expect(() => new DiscoveryClient({ logger: false, loger: false } as never)).toThrow(/Unknown option `loger`/);
    expect(() => new DiscoveryClient({ logger: false, watch: { wait: 1 } } as never)).toThrow(/Unknown option `watch.wait`/);
  });

  it('turns outlier detection on by default and off with the datawire preset unless asked for', () => {
    const plain = resolveServiceOptions(undefined);
    expect(plain.outlierDetection).toMatchObject({ consecutiveFailures: 5, maxEjectionPercent: 50, stall: { floorMs: 50 }, probe: { path: '/health' } });
    expect(resolveServiceOptions({ breaker: { preset: 'datawire' } }).outlierDetection).toBe(false);
    expect(resolveServiceOptions({ breaker: { preset: 'datawire' }, outlierDetection: {} }).outlierDetection).not.toBe(false);
    expect(resolveServiceOptions({ outlierDetection: false }).outlierDetection).toBe(false);
    expect(() => resolveServiceOptions({ outlierDetection: { maxEjectionPercent: 120 } })).toThrow('`outlierDetection.maxEjectionPercent`');
    expect(() => resolveServiceOptions({ outlierDetection: { probe: { path: 'health' } } })).toThrow('`outlierDetection.probe.path`');
  });

  it('turns the concurrency limit on by default, off with false or the datawire preset, and rejects bad values by name', () => {
    expect(resolveServiceOptions(undefined).concurrencyLimit).toEqual({
      initialLimit: 10,
      minLimit: 2,
      maxLimit: 1000,
      minRttWindowMs: 60_000,
      queueIntervalMs: 100,
      queueTargetMs: 50,
      overflowTargetMs: 10,
      maxQueued: 1000,
      slowStartWindowMs: 1000,
    });
    expect(resolveServiceOptions({ concurrencyLimit: false }).concurrencyLimit).toBe(false);
    expect(resolveServiceOptions({ breaker: { preset: 'datawire' } }).concurrencyLimit).toBe(false);
    expect(resolveServiceOptions({ breaker: { preset: 'datawire' }, concurrencyLimit: {} }).concurrencyLimit).not.toBe(false);
    expect(() => resolveServiceOptions({ concurrencyLimit: { maxQueued: -1 } })).toThrow(new TypeError('Expected `concurrencyLimit.maxQueued` to be a finite number >= 0, got -1'));
    expect(() => resolveServiceOptions({ concurrencyLimit: { minLimit: 0 } })).toThrow('`concurrencyLimit.minLimit`');
    expect(() => resolveServiceOptions({ concurrencyLimit: { minLimit: 10, maxLimit: 5 } })).toThrow('`concurrencyLimit.maxLimit`');
    expect(() => resolveServiceOptions({ concurrencyLimit: { initialLimit: 5000 } })).toThrow('`concurrencyLimit.initialLimit`');
    expect(() => resolveServiceOptions({ concurrencyLimit: { queueIntervalMs: 'soon' as never } })).toThrow('`concurrencyLimit.queueIntervalMs`');
    expect(() => resolveServiceOptions({ concurrencyLimit: { queueTargetMs: -1 } })).toThrow('`concurrencyLimit.queueTargetMs`');
    expect(() => resolveServiceOptions({ concurrencyLimit: { minRttWindowMs: 0 } })).toThrow('`concurrencyLimit.minRttWindowMs`');
    expect(() => resolveServiceOptions({ concurrencyLimit: { maxQueue: 5 } } as never)).toThrow(/Unknown option `concurrencyLimit.maxQueue`/);
    expect(() => resolveServiceOptions({ concurrencyLimit: 'on' as never })).toThrow(TypeError);
  });

  it('never mutates the caller\'s options', () => {
    const options = { breaker: { preset: 'datawire' as const }, retry: { limit: 1 }, tags: ['v1'] };
    const copy = structuredClone(options);
    resolveServiceOptions(options);
    expect(options).toEqual(copy);
    expect(Object.isFrozen(options)).toBe(false);
  });
});

describe('Consul address', () => {
  it('a CONSUL_CACERT naming a missing file is a RegistryConfigError naming the variable and the path', () => {
    const missing = join(tmpdir(), 'no-such-dir-discovery', 'ca.pem');
    let error: unknown;
    try {
      resolveConsulOptions({}, { CONSUL_CACERT: missing });
    } catch (e) {
      error = e;
    }
    expect(isRegistryConfigError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_REGISTRY_CONFIG', variable: 'CONSUL_CACERT', path: missing });
    expect((error as Error).message).toBe(`cannot read CONSUL_CACERT=${missing}: ENOENT: no such file or directory, open '${missing}'`);
    // new DiscoveryClient() reads the environment the same way
    const saved = process.env.CONSUL_CACERT;
    process.env.CONSUL_CACERT = missing;
    try {
      expect(() => new DiscoveryClient({ logger: false })).toThrow(`cannot read CONSUL_CACERT=${missing}`);
    } finally {
      if (saved === undefined) delete process.env.CONSUL_CACERT;
      else process.env.CONSUL_CACERT = saved;
    }
  });

  it('reads the token from CONSUL_HTTP_TOKEN_FILE when CONSUL_HTTP_TOKEN is not set', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dc-token-'));
    const file = join(dir, 'token');
    writeFileSync(file, 'from-file\n');
    try {
      expect(resolveConsulOptions({}, { CONSUL_HTTP_TOKEN_FILE: file }).token).toBe('from-file');
      expect(resolveConsulOptions({}, { CONSUL_HTTP_TOKEN: 'env', CONSUL_HTTP_TOKEN_FILE: file }).token).toBe('env');
      expect(() => resolveConsulOptions({}, { CONSUL_HTTP_TOKEN_FILE: join(dir, 'missing') })).toThrow(/^cannot read CONSUL_HTTP_TOKEN_FILE=.*missing: ENOENT/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('reads CONSUL_HTTP_ADDR as host:port or URL and CONSUL_HTTP_TOKEN', () => {
    expect(resolveConsulOptions({}, { CONSUL_HTTP_ADDR: '10.0.0.5:8600', CONSUL_HTTP_TOKEN: 't' })).toMatchObject({
      host: '10.0.0.5',
      port: 8600,
      secure: false,
      token: 't',
      baseUrl: 'http://10.0.0.5:8600',
    });
    expect(resolveConsulOptions({}, { CONSUL_HTTP_ADDR: 'https://consul.internal' })).toMatchObject({
      host: 'consul.internal',
      port: 8501,
      secure: true,
    });
    expect(resolveConsulOptions({}, {})).toMatchObject({ host: '127.0.0.1', port: 8500, token: undefined });
    expect(resolveConsulOptions({ port: 9000 }, { CONSUL_HTTP_ADDR: '10.0.0.5:8600' }).host).toBe('10.0.0.5');
    expect(parseConsulAddr('[::1]:8500')).toEqual({ host: '::1', port: 8500, secure: undefined });
    expect(() => parseConsulAddr('ftp://x')).toThrow('CONSUL_HTTP_ADDR');
  });
});

describe('isColorName', () => {
  it('takes lowercase names of up to 32 characters, starting with a letter', () => {
    for (const name of ['blue', 'green', 'canary-2', 'a', `b${'x'.repeat(31)}`]) expect(isColorName(name)).toBe(true);
  });

  it('refuses capitals, other characters, a leading digit, too long a name, and the words active and none', () => {
    for (const name of ['', 'Blue', 'blue green', 'blue_1', '1blue', `b${'x'.repeat(32)}`, 'active', 'none']) expect(isColorName(name)).toBe(false);
  });
});
