export { parseCommandLine } from './command-line.js';
export type { CommandLineSpec, CommandLineValues, ParseArgsOptionsConfig, ParsedCommandLine } from './command-line.js';
export { UsageError } from './usage-error.js';
export { readChoice, readNumber, readOption } from './option-values.js';
export type { NumberRule } from './option-values.js';
