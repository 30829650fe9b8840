/** What a load-generator run hands back to the orchestrator: one record per request, one per attempt. */

/** Requests as columns (index = request id), times in ms from the start of the schedule. */
export interface RequestRecords {
  /** When the schedule meant to send it. */
  readonly intended: number[];
  /** When it was handed to the contender (the generator's own lag: `sent - intended`). */
  readonly sent: number[];
  /** From the intended send time to the answer or the error (coordinated omission avoided). */
  readonly latency: number[];
  /** HTTP status of the final answer, 0 for an error without one. */
  readonly status: number[];
  /** Error name or code, '' when an answer came. */
  readonly error: string[];
  /** Port of the instance that answered (`x-instance`), 0 when none did. */
  readonly instance: number[];
  /** The `version` field of the answer's JSON body, '' when it had none (deploy runs tell versions apart by it). */
  readonly version: string[];
}

/** One attempt of a request on an instance. */
export interface Attempt {
  /** Request id (index into the request records). */
  readonly rid: number;
  /** When the attempt was sent, ms from the start. */
  readonly t: number;
  readonly port: number;
  /** Set when the attempt failed (timeout, connection error, 5xx). */
  failed?: boolean;
  /** The port was inferred, not logged (HAProxy logs only a request's last server). */
  readonly inferred?: boolean;
}

/** A breaker or health event of the contender (library and by-hand), for the record. */
export interface TimelineEvent {
  readonly t: number;
  readonly port: number;
  readonly kind: string;
  /** Why the library ejected the instance (its `breakerOpen` event's reason: error-percentage, stall…). */
  readonly reason?: string;
}

export interface GeneratorResult {
  readonly requests: RequestRecords;
  /** In-process contenders report attempts through their events; proxies' attempts come from their logs. */
  readonly attempts: Attempt[];
  readonly timeline: TimelineEvent[];
  /** Requests still unanswered when the generator gave up waiting. */
  readonly unsettled: number;
  /** When its event loop was blocked on the orchestrator's `freeze` message (the `freeze` scenario). */
  readonly freezes?: readonly Pause[];
  /** Its own garbage collections after the start (Node's `gc` performance entries): the contender's allocation. */
  readonly gcPauses?: readonly Pause[];
}

/** A time the generator's event loop was blocked (a busy loop, a garbage collection), ms from the start. */
export interface Pause {
  readonly fromMs: number;
  readonly toMs: number;
}

/** What the orchestrator sends the generator (argv[2], JSON). */
export interface GeneratorSpec {
  readonly contender: string;
  /** Instance URLs in order. */
  readonly urls: string[];
  /** The proxy's URL for nginx and HAProxy. */
  readonly proxyUrl?: string;
  readonly rate: number;
  /** Rate changes during the run (schedule.ts); none: `rate` throughout. */
  readonly rates?: ReadonlyArray<{ readonly atMs: number; readonly rate: number }>;
  readonly endMs: number;
  readonly path: string;
  /**
   * Deploy runs: the library finds the instances of `service` in this Consul agent (its active color, as
   * `make cutover` sets it) instead of taking `urls`.
   */
  readonly consul?: { readonly host: string; readonly port: number; readonly service: string };
}

export type GeneratorMessage = { type: 'ready' } | { type: 'done'; result: GeneratorResult } | { type: 'error'; message: string };
/** `start` the schedule at that epoch time; `freeze`: block the event loop for `ms` now. */
export type OrchestratorMessage = { type: 'start'; startEpochMs: number } | { type: 'freeze'; ms: number };
