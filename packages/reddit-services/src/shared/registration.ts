import { register } from 'discovery-client';
import type { Logger } from './logger.js';

/** What `register()` hands back: `close()` deregisters and stops the heartbeat. */
export interface InstanceRegistration {
  close(): Promise<void>;
}

export interface RegisterInstanceOptions {
  name: string;
  id: string;
  address: string;
  port: number;
  ttl: string;
  deregisterAfter: string;
  logger: Logger;
  /**
   * Delay between attempts while Consul does not answer at start-up, ms.
   * @default 1000
   */
  retryDelayMs?: number;
}

export const DEFAULT_REGISTER_RETRY_MS = 1000;

/**
 * Registers this instance in Consul with a TTL check kept passing by a heartbeat. When Consul is
 * down at start-up the instance keeps serving and retries in the background until it can register
 * (or until `close()`), so instances can start before Consul.
 */
export function registerInstance(options: RegisterInstanceOptions): InstanceRegistration {
  let closed = false;
  let registration: InstanceRegistration | undefined;
  let timer: NodeJS.Timeout | undefined;
  let warned = false;
  let pending: Promise<void> | undefined;

  const attempt = async (): Promise<void> => {
    try {
      const result = await register({
        name: options.name,
        id: options.id,
        address: options.address,
        port: options.port,
        tags: ['reddit'],
        meta: { version: '0.1.0' },
        ttl: options.ttl,
        deregisterCriticalServiceAfter: options.deregisterAfter,
        handleSignals: false,
      });
      if (closed) {
        await result.close();
        return;
      }
      // discovery-client logs "registered …" and "deregistered …" itself.
      registration = result;
      if (warned) options.logger.info(`${options.id}: Consul answers again, registered`);
    } catch (error) {
      if (closed) return;
      if (!warned) {
        options.logger.error(`cannot register ${options.id} yet; retrying every ${options.retryDelayMs ?? DEFAULT_REGISTER_RETRY_MS} ms`, error);
        warned = true;
      }
      timer = setTimeout(() => {
        pending = attempt();
      }, options.retryDelayMs ?? DEFAULT_REGISTER_RETRY_MS);
      timer.unref();
    }
  };
  pending = attempt();

  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await pending;
      await registration?.close();
    },
  };
}
