#!/usr/bin/env node
/**
 * `make startReddit COUNT=3`: dev-consul when CONSUL_HTTP_ADDR does not answer, the gateway, and
 * COUNT instances of posts, votes, users and messages, each registered in Consul, all in the
 * foreground with their output prefixed. ^C (or SIGTERM) stops every instance cleanly: each one
 * deregisters, then the launcher stops dev-consul if it started it.
 *
 *   node dist/launcher.js [--count N]
 *
 * Environment: PORT (first service port, default 3001; 0 = free ports), GATEWAY_PORT (default 2015),
 * DATA_DIR (default .data/reddit), CONSUL_HTTP_ADDR (default 127.0.0.1:8500), DATABASE (`sqlite`, the
 * default, or `postgres`: every service on PostgreSQL at DATABASE_URL, each in its own schema; without
 * DATABASE_URL the launcher starts a local PostgreSQL with its data in DATA_DIR/postgres on POSTGRES_PORT,
 * default 5433, and stops it on ^C).
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { resolveConsulOptions } from 'discovery-client';
import { Supervisor } from 'process-supervisor';
import type { SupervisedChild } from 'process-supervisor';
import { parseCommandLine, readNumber } from 'cli-kit';
import { DEFAULT_DATA_DIR, DEFAULT_GATEWAY_PORT, DEFAULT_VERSION } from './shared/config.js';
import { startLocalPostgres } from './shared/local-postgres.js';
import type { LocalPostgres } from './shared/local-postgres.js';
import type { ServiceName } from './shared/config.js';

export const DEFAULT_COUNT = 3;
export const DEFAULT_FIRST_PORT = 3001;
/** Ports of one service are `first + 100 * serviceIndex + (instance - 1)`: users 3001…, posts 3101… */
export const PORTS_PER_SERVICE = 100;
/** How long an instance has to stop after SIGTERM before it is killed, ms. */
export const STOP_TIMEOUT_MS = 10_000;
/** Port of the PostgreSQL the launcher starts for `DATABASE=postgres` without DATABASE_URL (5432 is often a system server's). */
export const DEFAULT_POSTGRES_PORT = 5433;

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
const LAUNCH_ORDER = ['users', 'posts', 'votes', 'messages'] as const satisfies readonly ServiceName[];

/** The part of dev-consul's API the launcher uses (docs/architecture.md). */
interface DevConsulModule {
  startDevConsul(options: { host: string; port: number; logLevel: string }): Promise<{ url: string; close(): Promise<void> }>;
}

const USAGE = `Usage: node packages/reddit-services/dist/launcher.js [--count N]
       (make startReddit COUNT=N)

Starts dev-consul (unless CONSUL_HTTP_ADDR answers), the gateway and N instances of posts, votes, users
and messages in the foreground, their lines prefixed. ^C stops them all, each deregistering first.

Options:
  --count N    instances of each service, 1 to 50 (default ${DEFAULT_COUNT})
  -h, --help   show this help

Environment:
  PORT               first service port (default ${DEFAULT_FIRST_PORT}; users PORT.., posts PORT+${PORTS_PER_SERVICE}.., ...); 0 picks free ports
  GATEWAY_PORT       the gateway's port (default ${DEFAULT_GATEWAY_PORT})
  DATA_DIR           where the SQLite files live (default ${DEFAULT_DATA_DIR})
  CONSUL_HTTP_ADDR   the Consul agent (default 127.0.0.1:8500)
  VERSION, COLOR     every instance's version (default 1.0) and blue/green color (default blue)
  DRAIN              after deregistering on ^C, how long each instance keeps serving (default 1s; 0: none)
  DATABASE           sqlite (default) or postgres (make startReddit DATABASE=postgres)
  DATABASE_URL       the PostgreSQL to use with DATABASE=postgres; without it a local one is started
                     in DATA_DIR/postgres on POSTGRES_PORT (default ${DEFAULT_POSTGRES_PORT}) and stopped on ^C
`;

function parseCount(argv: string[]): number {
  return parseCommandLine({ program: 'launcher', usage: USAGE, options: { count: { type: 'string' } }, argv }, ({ values }) =>
    readNumber('--count', values.count, { default: DEFAULT_COUNT, integer: true, min: 1, max: 50 }));
}

/** The agent CONSUL_HTTP_ADDR names, read as every process reads it (discovery-client). */
function consulAddress(): { host: string; port: number; url: string } {
  const { host, port, baseUrl } = resolveConsulOptions();
  return { host, port, url: baseUrl };
}

async function consulAnswers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/v1/status/leader`, { signal: AbortSignal.timeout(1000) });
    return response.ok;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const count = parseCount(process.argv.slice(2));
  const firstPort = process.env.PORT === undefined || process.env.PORT === '' ? DEFAULT_FIRST_PORT : Number(process.env.PORT);
  const gatewayPort = process.env.GATEWAY_PORT ? Number(process.env.GATEWAY_PORT) : DEFAULT_GATEWAY_PORT;
  const dataDir = process.env.DATA_DIR || DEFAULT_DATA_DIR;
  const consul = consulAddress();
  let started: { close(): Promise<void>; url: string } | undefined;
  if (await consulAnswers(consul.url)) {
    process.stdout.write(`using Consul at ${consul.url}\n`);
  } else {
    const { startDevConsul } = (await import('dev-consul')) as unknown as DevConsulModule;
    started = await startDevConsul({ host: consul.host, port: consul.port, logLevel: 'warn' });
    process.stdout.write(`started dev-consul at ${started.url}\n`);
  }
  const devConsul = started;
  const consulEnv: Record<string, string> = { CONSUL_HTTP_ADDR: devConsul ? devConsul.url : consul.url, DATA_DIR: dataDir };

  const engine = process.env.DATABASE || 'sqlite';
  let postgres: LocalPostgres | undefined;
  if (engine !== 'sqlite' && engine !== 'postgres') {
    process.stderr.write(`DATABASE must be sqlite or postgres, got "${engine}"\n`);
    await devConsul?.close();
    process.exit(2);
  }
  if (engine === 'postgres') {
    if (process.env.DATABASE_URL) {
      process.stdout.write(`using PostgreSQL at DATABASE_URL (each service in its own schema)\n`);
    } else {
      const port = process.env.POSTGRES_PORT ? Number(process.env.POSTGRES_PORT) : DEFAULT_POSTGRES_PORT;
      try {
        postgres = await startLocalPostgres({ dataDir: join(dataDir, 'postgres'), port });
      } catch (error) {
        process.stderr.write(`could not start PostgreSQL: ${error instanceof Error ? error.message : String(error)}\n`);
        await devConsul?.close();
        process.exit(1);
      }
      consulEnv.DATABASE_URL = postgres.url;
      process.stdout.write(`started PostgreSQL at ${postgres.url} (data in ${postgres.dataDir})\n`);
    }
  }

  const supervisor = new Supervisor({
    stopTimeoutMs: STOP_TIMEOUT_MS,
    onUnexpectedExit: (child, exit) => {
      const label = `[${child.name}]`.padEnd(13);
      // code 0: it was stopped on its own (kill -TERM, make roll / make scale retiring it) and deregistered
      if (exit.code === 0) process.stdout.write(`${label} stopped\n`);
      else process.stderr.write(`${label} exited unexpectedly (${exit.signal ?? `code ${exit.code}`})\n`);
    },
  });
  const start = (id: string, args: string[], env: Record<string, string>): SupervisedChild =>
    supervisor.start({ name: id, args: [MAIN, ...args], env: { ...consulEnv, ...env }, prefix: `${`[${id}]`.padEnd(13)} ` });
  LAUNCH_ORDER.forEach((service, serviceIndex) => {
    for (let instance = 1; instance <= count; instance += 1) {
      const port = firstPort === 0 ? 0 : firstPort + PORTS_PER_SERVICE * serviceIndex + instance - 1;
      const id = `${service}-${instance}`;
      start(id, [service], { PORT: String(port), INSTANCE_ID: id });
    }
  });
  start('gateway', ['gateway'], { PORT: String(gatewayPort), INSTANCE_ID: 'gateway' });
  const children = supervisor.children;

  const shutdown = async (reason: string): Promise<void> => {
    const running = children.filter((child) => child.process.exitCode === null && child.process.signalCode === null);
    supervisor.say(`${reason}: stopping ${running.length} processes`);
    await supervisor.stopAll();
    if (devConsul) await devConsul.close();
    if (postgres) await postgres.stop().catch((error: unknown) => process.stderr.write(`stopping PostgreSQL failed: ${String(error)}\n`));
    supervisor.say('all stopped');
    process.exit(0);
  };
  supervisor.handleSignals((reason) => void shutdown(reason));

  try {
    const ports = await Promise.all(children.map((child) => child.listeningPort(60_000)));
    process.stdout.write(`\nreddit services are up (version ${process.env.VERSION || DEFAULT_VERSION}, data ${engine === 'postgres' ? 'in PostgreSQL' : `in ${dataDir}`}):\n`);
    children.forEach((child, index) => process.stdout.write(`  ${child.name.padEnd(12)} http://127.0.0.1:${ports[index]}\n`));
    process.stdout.write(`gateway: http://127.0.0.1:${ports[ports.length - 1]}   (try: curl http://127.0.0.1:${ports[ports.length - 1]}/posts)\n`);
    process.stdout.write('press ^C to stop\n\n');
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    await shutdown('startup failure');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`launcher failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
