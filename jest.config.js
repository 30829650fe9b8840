// The repository-wide suite in test/: what spans packages (packing, a stranger's project, every entry point).
// Each package's own suite has its own jest.config.js.
import { jestConfig } from './jest.preset.js';

export default jestConfig({
  testTimeout: 240_000,
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
});
