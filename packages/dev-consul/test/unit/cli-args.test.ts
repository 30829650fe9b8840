import { describe, expect, it } from '@jest/globals';
import { UsageError } from 'cli-kit';
import type { ParsedCommandLine } from 'cli-kit';
import { readOptions } from '../../src/cli-args.js';
import type { OPTIONS } from '../../src/cli-args.js';

// Parsing itself (unknown flags, missing values, --help, exit codes) is cli-kit's, checked through the bin in cli.test.ts.
const read = (values: ParsedCommandLine<typeof OPTIONS>['values']) => readOptions({ values, positionals: [] });

describe('CLI arguments', () => {
  it('reads every flag', () => {
    expect(read({ host: '0.0.0.0', port: '0', token: 't', 'log-level': 'debug', node: 'n', datacenter: 'dc2', 'enable-script-checks': true })).toEqual({
      host: '0.0.0.0',
      port: 0,
      token: 't',
      logLevel: 'debug',
      node: 'n',
      datacenter: 'dc2',
      enableScriptChecks: true,
    });
    expect(read({})).toEqual({ port: 8500, logLevel: 'info' });
  });

  it('names the problem', () => {
    expect(() => read({ port: '70000' })).toThrow(UsageError);
    expect(() => read({ port: '70000' })).toThrow('--port must be an integer from 0 to 65535, got "70000"');
    expect(() => read({ port: '1e3' })).toThrow('--port must be an integer from 0 to 65535, got "1e3"');
    expect(() => read({ node: '' })).toThrow('--node must not be empty');
    expect(() => read({ 'log-level': 'loud' })).toThrow('--log-level must be one of debug, info, warn, error, got "loud"');
  });
});
