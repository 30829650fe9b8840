#!/usr/bin/env node
/**
 * Starts one process: `node dist/main.js posts|votes|users|messages|gateway`.
 *
 * Environment: PORT (0 picks a free port; services default to 0, the gateway to 2015), HOST,
 * INSTANCE_ID (default `<service>-<pid>`), DATA_DIR (default .data/reddit) or DB_PATH for SQLite, or
 * DATABASE_URL / <SERVICE>_DATABASE_URL (postgres://…) for PostgreSQL,
 * CONSUL_HTTP_ADDR / CONSUL_HTTP_TOKEN, REGISTER=false to stay out of Consul, REGISTRATION_TTL,
 * VERSION (default 1.0: in every GET answer, tag v<version>, meta version), COLOR (blue/green, default blue:
 * tag color=<c>, meta color), DRAIN (default 1s; 0: none), LOG_FORMAT=json. Prints `listening on port <n>`;
 * SIGTERM / SIGINT deregister, keep serving for DRAIN while every caller drops the instance, finish the
 * requests in flight and exit 0. Calls to other services (the gateway's and posts→votes, posts→users,
 * votes→posts, votes→users, messages→users) go to the active color of the service called (blue/green:
 * Consul KV `discovery/<service>/active`, `make cutover`; no key: every instance), and each passes down what the
 * request being served has left (`x-request-timeout-ms`, deadline propagation: shared/deadline.ts).
 */
import { parseCommandLine, UsageError } from 'cli-kit';
import type { ParsedCommandLine } from 'cli-kit';
import { DiscoveryClient } from 'discovery-client';
import { openServiceDatabase } from './shared/database.js';
import { serve } from './shared/http-server.js';
import { createLogger } from './shared/logger.js';
import type { Logger } from './shared/logger.js';
import { registerInstance } from './shared/registration.js';
import type { Registration } from 'discovery-client';
import {
  DEFAULT_COLOR, DEFAULT_DATA_DIR, DEFAULT_DEREGISTER_AFTER, DEFAULT_DRAIN, DEFAULT_GATEWAY_PORT, DEFAULT_HOST, DEFAULT_REGISTRATION_TTL, DEFAULT_VERSION,
  SERVICE_NAMES, databasePath, databaseUrl, isServiceName, readConfig,
} from './shared/config.js';
import type { ServiceName } from './shared/config.js';
import { createPostsApp } from './posts/posts-app.js';
import { VotesScoreSource, describeVotesError } from './posts/votes-score-source.js';
import { createVotesApp } from './votes/votes-app.js';
import { createUsersApp } from './users/users-app.js';
import { createMessagesApp } from './messages/messages-app.js';
import { createGatewayApp } from './gateway/gateway-app.js';
import { createGatewayClients } from './gateway/gateway-clients.js';
import { PostDirectory, UserDirectory, VotesRemoval } from './shared/service-directory.js';
import type { DirectoryClient } from './shared/service-directory.js';
import { withinDeadline } from './shared/deadline.js';

/** How long posts waits for votes when ranking "hot", per attempt, ms. */
export const HOT_VOTES_TIMEOUT_MS = 500;
/** Longest "hot" waits for votes, retries included, before answering unsorted, ms (less when its caller has less left). */
export const HOT_VOTES_DEADLINE_MS = 1500;
/**
 * Calls one service makes to another on a write (is the user active? which community? forget a post), per attempt and
 * overall, ms; overall at most what the request being served has left (`x-request-timeout-ms`, deadline propagation).
 */
export const DIRECTORY_TIMEOUT_MS = 1000;
export const DIRECTORY_DEADLINE_MS = 2500;

/**
 * The gateway and posts call other services on every request: the per-call `using instance` line goes
 * to debug so a busy process does not log per request (resolve, breaker and failure lines stay).
 * `DISCOVERY_LOG_PICKS=info` brings it back, as in the walkthrough.
 */
const DISCOVERY_OPTIONS = { logPicks: 'debug' } as const;

/**
 * Every call to a service, the gateway's and one service's to another, goes to the instances of the service's
 * active color (blue/green: Consul KV `discovery/<service>/active`, written by `make cutover`; no key: every
 * instance), so one cut-over moves the whole system's traffic.
 */
const ACTIVE_COLOR = { color: 'active' } as const;

const PROCESS_NAMES = [...SERVICE_NAMES, 'gateway'] as const;

const HELP = `usage: node dist/main.js <${PROCESS_NAMES.join('|')}>

One process: a service instance (registered in Consul) or the gateway. More in packages/reddit-services/README.md.

Environment:
  PORT               listen port (services: 0, a free one; the gateway: ${DEFAULT_GATEWAY_PORT})
  HOST               address to listen on (default ${DEFAULT_HOST}); ADVERTISE_ADDRESS the one registered
  INSTANCE_ID        its id in Consul (default <service>-<pid>)
  DATA_DIR, DB_PATH  SQLite: the directory of <service>.db (default ${DEFAULT_DATA_DIR}), or the file
  DATABASE_URL       PostgreSQL (postgres://…), or <SERVICE>_DATABASE_URL for one service
  VERSION            its version (default ${DEFAULT_VERSION}): in every GET answer, tag v<VERSION>, meta version
  COLOR              its blue/green color (default ${DEFAULT_COLOR}): tag color=<COLOR>, meta color (make cutover routes by it)
  DRAIN              after deregistering on SIGTERM/SIGINT, keep serving this long before closing (default ${DEFAULT_DRAIN}; 0: none)
  REGISTER=false     stay out of Consul; REGISTRATION_TTL (default ${DEFAULT_REGISTRATION_TTL}), DEREGISTER_AFTER (default ${DEFAULT_DEREGISTER_AFTER})
  CONSUL_HTTP_ADDR   the Consul agent (default 127.0.0.1:8500); CONSUL_HTTP_TOKEN its ACL token
  LOG_FORMAT=json    JSON log lines; DISCOVERY_LOG_PICKS=info logs every pick of an instance
`;

/** The one positional argument: which process to start. */
function readProcessName({ positionals }: ParsedCommandLine<Record<never, never>>): ServiceName | 'gateway' {
  const [name, ...extra] = positionals;
  if (name === undefined) throw new UsageError(`name the process to start: ${PROCESS_NAMES.join(', ')}`);
  if (name !== 'gateway' && !isServiceName(name)) throw new UsageError(`unknown process "${name}": one of ${PROCESS_NAMES.join(', ')}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  return name;
}

async function main(): Promise<void> {
  const name = parseCommandLine({ program: 'reddit-services', usage: HELP, allowPositionals: true }, readProcessName);
  const logger = createLogger();
  const config = readConfig(process.env, name === 'gateway' ? DEFAULT_GATEWAY_PORT : 0);
  const closers: Array<() => Promise<void> | void> = [];
  let discovery: DiscoveryClient | undefined;
  let app;
  let instanceId = config.instanceId;
  let dataLine: string | undefined;

  if (name === 'gateway') {
    discovery = new DiscoveryClient(DISCOVERY_OPTIONS);
    const client = discovery;
    const clients = createGatewayClients(client, ACTIVE_COLOR);
    instanceId ??= 'gateway';
    app = createGatewayApp({ clients, instanceId, logger, version: config.version, status: () => client.snapshot() });
  } else {
    const database = await openServiceDatabase({ service: name, url: databaseUrl(process.env, name), path: databasePath(config, name) });
    closers.push(() => database.close());
    dataLine = `${name} data: ${database.description}`;
    instanceId ??= `${name}-${process.pid}`;
    const common = { database, instanceId, logger, version: config.version };
    // posts, votes and messages ask other services on writes (openapi.yaml: active users only, a vote's
    // community from its post, a deleted post's votes go too); users asks nobody.
    const client = name === 'users' ? undefined : new DiscoveryClient(DISCOVERY_OPTIONS);
    discovery = client;
    // Each call passes down what the request being served has left (deadline propagation), within its own bound.
    const directoryClient = (service: 'users' | 'posts' | 'votes'): DirectoryClient => {
      const calls = (client as DiscoveryClient).service(service, { ...ACTIVE_COLOR, timeout: DIRECTORY_TIMEOUT_MS, deadline: DIRECTORY_DEADLINE_MS, retry: { limit: 1 } });
      return { request: (call) => calls.request({ ...call, deadline: withinDeadline(call.deadline, DIRECTORY_DEADLINE_MS) }) };
    };
    if (name === 'posts') {
      const votes = (client as DiscoveryClient).service('votes', { ...ACTIVE_COLOR, timeout: HOT_VOTES_TIMEOUT_MS, deadline: HOT_VOTES_DEADLINE_MS, retry: { limit: 1 } });
      app = createPostsApp({
        ...common,
        scores: new VotesScoreSource({ get: (path, call) => votes.get(path, { deadline: withinDeadline(call?.deadline, HOT_VOTES_DEADLINE_MS) }) }),
        describeScoreError: describeVotesError,
        users: new UserDirectory(directoryClient('users')),
        votes: new VotesRemoval(directoryClient('votes')),
      });
    } else if (name === 'votes') {
      app = createVotesApp({ ...common, posts: new PostDirectory(directoryClient('posts')), users: new UserDirectory(directoryClient('users')) });
    } else if (name === 'users') {
      app = createUsersApp(common);
    } else {
      app = createMessagesApp({ ...common, users: new UserDirectory(directoryClient('users')) });
    }
  }

  const server = await serve(app, config.port, config.host);

  // Signal handlers go in before the start lines: whoever reads them may send SIGTERM at once, and it
  // must always be a clean stop (a SIGTERM during registration waits for it, then deregisters).
  let registering: Promise<Registration | undefined> = Promise.resolve(undefined);
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    // Leave Consul first so callers stop picking this instance; keep serving through the drain delay while
    // every watcher drops it; then stop listening and finish what is in flight (discovery-client's register()).
    const registration = await registering.catch(() => undefined);
    if (registration) {
      logger.info(`${signal}: stopping ${instanceId}: deregistering, serving ${config.drainMs} ms more while callers drop it, then finishing the requests in flight`);
      await registration.close();
    } else {
      logger.info(`${signal}: stopping ${instanceId}`);
      await closeQuietly(logger, 'server', () => server.close());
    }
    await closeQuietly(logger, 'discovery client', () => discovery?.close());
    for (const close of closers) await closeQuietly(logger, 'database', close);
    logger.info(`${instanceId} stopped`);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  logger.info(`listening on port ${server.port}`);
  // The pid is how an operator stops this one instance (`kill -TERM <pid>`): every instance of a
  // service has the same command line.
  logger.info(`${name} ${instanceId} at http://${config.advertiseAddress}:${server.port} (pid ${process.pid})`);
  if (dataLine) logger.info(dataLine);

  if (config.register && name !== 'gateway') {
    registering = registerInstance({
      name,
      id: instanceId,
      address: config.advertiseAddress,
      port: server.port,
      ttl: config.ttl,
      deregisterAfter: config.deregisterAfter,
      version: config.version,
      color: config.color,
      drainMs: config.drainMs,
      server: server.server,
    });
    try {
      await registering;
    } catch (error) {
      if (stopping) return;
      // Consul refused the definition (4xx: ACL, bad field): serving unregistered would be invisible.
      logger.error(`Consul refused to register ${instanceId}`, error);
      await server.close();
      process.exit(1);
    }
  }
}

async function closeQuietly(logger: Logger, what: string, close: () => Promise<unknown> | unknown): Promise<void> {
  try {
    await close();
  } catch (error) {
    logger.error(`closing the ${what} failed`, error);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
