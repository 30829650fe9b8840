// `make roll SERVICE=ratings VERSION=2.0`, `make scale SERVICE=ratings COUNT=5`, `make cutover SERVICE=ratings COLOR=green`:
//   node packages/deploy/dist/deploy.js roll --service S --version V [--detach]
//   node packages/deploy/dist/deploy.js scale --service S --count N [--version V] [--color C] [--detach]
//   node packages/deploy/dist/deploy.js cutover --service S --color C
// New instances run under this command (^C stops them, each deregistering first) unless --detach.
import { parseCommandLine, readNumber, UsageError } from 'cli-kit';
import type { ParsedCommandLine } from 'cli-kit';
import { Supervisor } from 'process-supervisor';
import { isColorName } from 'discovery-client';
import { ConsulApi } from './ops/consul.js';
import { cutover, DeployError, NO_COLOR, roll, scale, type FleetOptions } from './ops/fleet.js';
import { serviceDefinition, SERVICES } from './services.js';

const USAGE = `usage: node packages/deploy/dist/deploy.js <command> --service NAME [options]
  roll    --version V [--detach]                        replace every instance, one at a time, by one of version V
  scale   --count N [--version V] [--color C] [--detach] add instances, or retire the highest-numbered ones
  cutover --color C                                     route clients to the instances of color C (blue/green); none: to all
services: ${Object.keys(SERVICES).join(', ')}. Consul: CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN.
--detach: new instances outlive this command (output in .data/logs/<id>.log); without it they run under it and ^C stops them.
New ratings instances print no line per request (RATINGS_LOG_REQUESTS=1 brings them back): this command's progress stays readable.`;

const OPTIONS = {
  service: { type: 'string' }, version: { type: 'string' }, count: { type: 'string' }, color: { type: 'string' }, detach: { type: 'boolean' },
} as const;

function read({ values, positionals }: ParsedCommandLine<typeof OPTIONS>) {
  const [command, ...extra] = positionals;
  if (command !== 'roll' && command !== 'scale' && command !== 'cutover') throw new UsageError(`unknown command "${command ?? ''}"`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (!values.service) throw new UsageError('--service is required (make ... SERVICE=ratings)');
  const nonEmpty = (name: string, value: string | undefined): string | undefined => {
    if (value !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/.test(value)) throw new UsageError(`--${name} must be a short name such as 2.0, got "${value}"`);
    return value;
  };
  const version = nonEmpty('version', values.version || undefined);
  const color = values.color || undefined;
  if (color !== undefined && !isColorName(color) && !(command === 'cutover' && color === NO_COLOR)) {
    throw new UsageError(`--color must be a color name such as blue or green (lowercase letters, digits, -)${command === 'cutover' ? ` or ${NO_COLOR}` : ''}, got "${color}"`);
  }
  if (command === 'roll' && !version) throw new UsageError('roll needs --version (make roll SERVICE=ratings VERSION=2.0)');
  if (command === 'cutover' && !color) throw new UsageError('cutover needs --color (make cutover SERVICE=ratings COLOR=green)');
  if (command === 'scale' && values.count === undefined) throw new UsageError('scale needs --count (make scale SERVICE=ratings COUNT=5)');
  const count = command === 'scale' ? readNumber('--count', values.count, { default: 0, integer: true, min: 1, max: 99 }) : undefined;
  let service;
  try {
    service = serviceDefinition(values.service);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return { command, service, version, color, count, detach: values.detach ?? false };
}

const args = parseCommandLine({ program: 'deploy', usage: USAGE, options: OPTIONS, allowPositionals: true }, read);

const supervisor = new Supervisor({
  onUnexpectedExit: (child, exit) => supervisor.say(`${child.name} exited (${exit.signal ?? `code ${exit.code}`})`),
});
const options: FleetOptions = {
  consul: new ConsulApi(), service: args.service, supervisor, detach: args.detach, say: (line) => supervisor.say(line),
};
let failed = false;
supervisor.handleSignals((reason) => {
  const running = supervisor.children.filter((c) => c.process.exitCode === null && c.process.signalCode === null);
  supervisor.say(`${reason}: stopping ${running.length} instance(s) this command started (each deregisters first)`);
  void supervisor.stopAll().then(() => process.exit(failed ? 1 : 0));
});

try {
  if (args.command === 'cutover') await cutover(options, args.color!);
  else if (args.command === 'roll') await roll(options, args.version!);
  else await scale(options, args.count!, { version: args.version, color: args.color });
} catch (error) {
  failed = true;
  supervisor.say(error instanceof DeployError ? error.message : `${args.command} failed: ${(error as Error).message}`);
}
const running = supervisor.children.filter((c) => c.process.exitCode === null && c.process.signalCode === null);
if (running.length === 0) process.exit(failed ? 1 : 0);
supervisor.say(`${running.map((c) => c.name).join(', ')} run under this command: ^C stops them (each deregisters first); --detach (DETACH=1) leaves new instances running on their own`);
