import { jestConfig } from '../../jest.preset.js';

export default jestConfig({
  // One throwaway PostgreSQL cluster for the run: the suites run on SQLite and on PostgreSQL.
  globalSetup: '<rootDir>/test/setup/postgres-global-setup.js',
  globalTeardown: '<rootDir>/test/setup/postgres-global-teardown.js',
});
