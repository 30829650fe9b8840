import { describe, expect, it } from '@jest/globals';
import { DiscoveryClient, MissingPeerDependencyError } from '../../src/index.js';
import { loadPeerDependency } from '../../src/peer-dependency.js';

describe('optional peer dependencies', () => {
  it('loads an installed one synchronously', () => {
    expect(typeof loadPeerDependency<{ Registry: unknown }>('prom-client', 'metrics').Registry).toBe('function');
  });

  it('names the package to install when it is missing', () => {
    let thrown: unknown;
    try {
      loadPeerDependency('no-such-package-for-this-test', 'widgets');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MissingPeerDependencyError);
    expect(thrown).toMatchObject({
      code: 'ERR_MISSING_PEER_DEPENDENCY',
      packageName: 'no-such-package-for-this-test',
      feature: 'widgets',
      message: 'widgets need the optional peer dependency no-such-package-for-this-test, which is not installed: npm install no-such-package-for-this-test',
      cause: expect.objectContaining({ code: 'MODULE_NOT_FOUND' }),
    });
  });

  it('rejects a metrics option that is not a prom-client Registry with a TypeError', () => {
    expect(() => new DiscoveryClient({ logger: false, metrics: {} as never })).toThrow('Expected `metrics` to be a prom-client Registry, got [object Object]');
  });
});
