import type { InstanceRef } from '../instance.js';
import { DiscoveryError } from './discovery-error.js';

/**
 * The abort reason of an attempt that lost a hedging race: another attempt of the same call answered first
 * (`retry/hedging.ts`). It never reaches a caller: the call resolves with the winner's answer.
 */
export class HedgeLostError extends DiscoveryError {
  readonly code = 'ERR_HEDGE_LOST';
  readonly retryable = false;
  readonly service: string;
  readonly instance: InstanceRef;

  constructor(service: string, instance: InstanceRef) {
    super(`[${service} at ${instance.url}] aborted: another attempt of the call answered first`);
    this.service = service;
    this.instance = instance;
  }
}
