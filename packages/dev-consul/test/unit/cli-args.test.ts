import { describe, expect, it } from '@jest/globals';
import { UsageError, parseArgs } from '../../src/cli-args.js';

describe('CLI arguments', () => {
  it('parses every flag, in both --flag value and --flag=value forms', () => {
    expect(parseArgs(['--host', '0.0.0.0', '--port=0', '--token', 't', '--log-level', 'debug', '--node=n', '--datacenter', 'dc2', '--enable-script-checks'])).toEqual({
      host: '0.0.0.0',
      port: 0,
      token: 't',
      logLevel: 'debug',
      node: 'n',
      datacenter: 'dc2',
      enableScriptChecks: true,
    });
    expect(parseArgs([])).toEqual({ port: 8500, logLevel: 'info' });
    expect(parseArgs(['-h'])).toBeUndefined();
  });

  it('names the problem', () => {
    expect(() => parseArgs(['--port', '70000'])).toThrow(UsageError);
    expect(() => parseArgs(['--port'])).toThrow("Option '--port <value>' argument missing");
    expect(() => parseArgs(['--node', '--port', '1'])).toThrow("Option '--node' argument is ambiguous");
    expect(() => parseArgs(['--enable-script-checks=yes'])).toThrow("Option '--enable-script-checks' does not take an argument");
    expect(() => parseArgs(['extra'])).toThrow("Unexpected argument 'extra'");
  });
});
