import { AttemptSignal, classifyStatus } from '../attempt/attempt.js';
import type { Endpoint } from '../breaker/endpoint.js';
import type { Transport } from '../transport/transport.js';
import type { ResolvedProbeOptions } from './outlier-options.js';

/** A function, so that the state read after an `await` is not narrowed by the one read before it. */
function isClosed(endpoint: Endpoint): boolean {
  return endpoint.state === 'CLOSED';
}

interface ProbeState {
  timer: NodeJS.Timeout | undefined;
  inFlight: boolean;
  delayMs: number;
}

/**
 * Re-admission off the user path: while an endpoint's breaker is OPEN the library itself sends
 * `GET probe.path` to it, first after `intervalMs`, then with the delay doubling up to `maxIntervalMs`
 * (Envoy's active health checking, with the no-traffic interval's backoff). The first answer below 500
 * re-admits the instance (breaker CLOSED) once it has been out for its ejection time:
 * `baseEjectionTimeMs × ejections in a row`, capped at `maxEjectionTimeMs` (Envoy's ejection time rule), so an
 * instance that keeps failing stays out longer each time. No user request is spent as a trial.
 */
export class Prober {
  private readonly probing = new Map<Endpoint, ProbeState>();
  private closed = false;

  constructor(
    private readonly options: ResolvedProbeOptions,
    private readonly ejection: { baseEjectionTimeMs: number; maxEjectionTimeMs: number },
    private readonly transport: Transport,
    private readonly now: () => number = Date.now,
  ) {}

  /** The endpoint's breaker opened: start probing it. */
  start(endpoint: Endpoint): void {
    if (this.closed || this.probing.has(endpoint)) return;
    const state: ProbeState = { timer: undefined, inFlight: false, delayMs: this.options.intervalMs };
    this.probing.set(endpoint, state);
    this.schedule(endpoint, state, state.delayMs);
  }

  /** Probe now (the registry lists the instance as passing again). */
  probeNow(endpoint: Endpoint): void {
    const state = this.probing.get(endpoint);
    if (!state) return this.start(endpoint);
    if (state.inFlight) return;
    if (state.timer) clearTimeout(state.timer);
    this.schedule(endpoint, state, 0);
  }

  /** The endpoint is closed again or gone: stop probing it. */
  stop(endpoint: Endpoint): void {
    const state = this.probing.get(endpoint);
    if (!state) return;
    if (state.timer) clearTimeout(state.timer);
    this.probing.delete(endpoint);
  }

  /** How long the current ejection lasts at least, ms. */
  ejectionTimeMs(endpoint: Endpoint): number {
    const { baseEjectionTimeMs, maxEjectionTimeMs } = this.ejection;
    return Math.min(maxEjectionTimeMs, baseEjectionTimeMs * Math.max(1, endpoint.ejections));
  }

  private schedule(endpoint: Endpoint, state: ProbeState, delayMs: number): void {
    state.timer = setTimeout(() => {
      state.timer = undefined;
      void this.probe(endpoint, state);
    }, delayMs);
    state.timer.unref();
  }

  private async probe(endpoint: Endpoint, state: ProbeState): Promise<void> {
    if (this.probing.get(endpoint) !== state || isClosed(endpoint)) return this.stop(endpoint);
    state.inFlight = true;
    const signal = new AttemptSignal();
    const timer = setTimeout(() => signal.abort(new Error(`probe timed out after ${this.options.timeoutMs}ms`)), this.options.timeoutMs);
    timer.unref();
    let answered: boolean;
    try {
      const response = await this.transport.request({
        origin: endpoint.instance.url,
        method: 'GET',
        path: this.options.path,
        headers: {},
        signal,
      });
      answered = classifyStatus(response.statusCode) !== 'instanceFailure';
    } catch {
      answered = false;
    } finally {
      clearTimeout(timer);
      state.inFlight = false;
    }
    if (this.probing.get(endpoint) !== state) return;
    if (isClosed(endpoint)) return this.stop(endpoint);
    if (answered) {
      const remaining = (endpoint.ejectedAt ?? 0) + this.ejectionTimeMs(endpoint) - this.now();
      if (remaining <= 0) {
        this.stop(endpoint);
        endpoint.readmit();
        return;
      }
      // answering, but its ejection time is not over: try again when it is
      return this.schedule(endpoint, state, remaining);
    }
    state.delayMs = Math.min(this.options.maxIntervalMs, state.delayMs * 2);
    this.schedule(endpoint, state, state.delayMs);
  }

  close(): void {
    this.closed = true;
    for (const state of this.probing.values()) if (state.timer) clearTimeout(state.timer);
    this.probing.clear();
  }
}
