// Watching a blue/green cut-over from the caller's side: a sampler that sends one request at a time, and the rule
// that says when a caller has switched colors.
import { setTimeout as sleep } from 'node:timers/promises';

/** One request of a sampler and its answer. */
export interface Sample {
  /** When it was sent (`Date.now()`). */
  sentAt: number;
  /** The answer's status; 0 when the request failed (see `error`). */
  status: number;
  /** The instance that answered (`ratings-4`, `posts-1`); empty when none did. */
  servedBy: string;
  /** The `version` field of the answer's body. */
  version: unknown;
  error?: string;
}

/** A running sampler: its samples so far, in the order sent. */
export interface Sampler {
  readonly samples: readonly Sample[];
  /** Stops sending; resolves once the request in flight has answered. */
  stop(): Promise<void>;
}

/**
 * Sends a request with `send`, waits for its answer, pauses 10 ms and sends the next, until `stop()`. One request
 * at a time, so the order of the samples is the order in which the caller chose an instance: a sample sent after
 * another was routed after that one had answered. A failed request is a sample (`status` 0), never a throw.
 */
export function startSampler(send: () => Promise<Omit<Sample, 'sentAt'>>): Sampler {
  const samples: Sample[] = [];
  let sampling = true;
  const running = (async () => {
    while (sampling) {
      const sentAt = Date.now();
      try {
        samples.push({ sentAt, ...await send() });
      } catch (error) {
        samples.push({ sentAt, status: 0, servedBy: '', version: undefined, error: error instanceof Error ? error.message : String(error) });
      }
      await sleep(10);
    }
  })();
  return {
    samples,
    stop: async () => {
      sampling = false;
      await running;
    },
  };
}

export { afterSwitch } from '../../../../test-support/cut-over.js';
