import { register } from 'discovery-client';
import { listen } from 'server-ports';
import { createRatingsApp } from './app.js';
import type { InstanceConfig } from './config.js';
import type { Log } from './log.js';

/** A running ratings instance: listening and registered in Consul. */
export interface RatingsInstance {
  /** `ratings-N`, its service ID in Consul. */
  readonly id: string;
  /** The port it got (useful with `PORT=0`). */
  readonly port: number;
  /** Deregisters from Consul first, drains, then stops listening once in-flight requests are answered. Safe to call twice. */
  close(): Promise<void>;
}

/** The port an instance should listen on is taken, most often by the same instance started twice. */
export class PortInUseError extends Error {
  override name = 'PortInUseError';
  readonly code = 'ERR_RATINGS_PORT_IN_USE';
}

/** The service name every instance registers under. */
export const SERVICE_NAME = 'ratings';

/**
 * Starts one ratings instance: listens, prints `listening on port <n>`, registers `ratings-N` with a TTL
 * heartbeat. discovery-client's `register()` logs the registration and any heartbeat trouble, and keeps
 * retrying while Consul is unreachable; only a definition Consul rejects makes this throw (the server is
 * closed again first).
 */
export async function startRatingsInstance(config: InstanceConfig, log: Log): Promise<RatingsInstance> {
  const id = `${SERVICE_NAME}-${config.instance}`;
  const app = createRatingsApp({
    instance: config.instance, version: config.version, color: config.color, ...(config.logRequests ? { log } : {}),
  });
  const listening = await listen(app, { port: config.port, host: config.host }).catch((error: unknown) => {
    if ((error as { code?: unknown }).code !== 'EADDRINUSE') throw error;
    throw new PortInUseError(
      `port ${config.port} on ${config.host} is already in use: is ${id} already running? (PORT=<n> picks another port)`,
      { cause: error });
  });
  const { port, server } = listening;
  log.info(`listening on port ${port}`);

  let registration: Awaited<ReturnType<typeof register>>;
  try {
    registration = await register({
      name: SERVICE_NAME,
      id,
      address: config.host,
      port,
      tags: [`v${config.version}`, `color=${config.color}`],
      // pid: how `make roll` and `make scale` retire this instance (SIGTERM) on this host
      meta: { version: config.version, instance: String(config.instance), pid: String(process.pid), color: config.color },
      ttl: config.ttl,
      heartbeatInterval: config.heartbeat,
      drainDelay: config.drain,
      server,
      handleSignals: false,
    });
  } catch (error) {
    await listening.close();
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    id,
    port,
    close() {
      closing ??= (async () => {
        // logs `deregistered ratings-N`, keeps serving for the drain delay, then closes the server once
        // the requests in flight are answered; never rejects
        await registration.close();
      })();
      return closing;
    },
  };
}
