/**
 * Every number that shapes a fault-benchmark run, in one place. docs/benchmarks.md repeats them; change
 * both together.
 */

/** Requests per second of the open-model schedule. */
export const RATE = 500;
/** Requests per second of the deploy runs: issue 10 asks for rolling updates and cut-overs at 1,000 or more. */
export const RATE_FOR_DEPLOYS = 1000;

/** The budget every contender gets: per attempt, ms. */
export const ATTEMPT_TIMEOUT_MS = 1000;
/** At most this many retries, on another instance. */
export const RETRY_LIMIT = 1;

/** Instances behind every contender. */
export const INSTANCE_COUNT = 3;
/** The instance the faults hit (index into the list); `direct` calls instance 0. */
export const FAULTY_INDEX = 1;

/** The first second of a run warms connections and JIT: left out of the steady-part figures. */
export const WARMUP_MS = 1000;

/** A request slower than this counts as slow, ms. */
export const SLOW_MS = 500;

/**
 * After a fault, attempts on the faulty instance that follow each other closely are ordinary traffic; the
 * first gap of at least this many user requests (in schedule order) without one marks detection, and every
 * attempt after that gap is a probe. Counted in requests, not ms, so that a stall of the generator
 * (a busy machine) does not look like a gap. At 500 requests/s, 100 requests are 200 ms of schedule;
 * round-robin sends every third request to each of three instances.
 */
export const PROBE_GAP_REQUESTS = 100;

/** How long an instance answers slower in the `slow` scenario, ms. */
export const SLOW_INSTANCE_DELAY_MS = 200;
/** In the `errors` scenario the faulty instance answers 503 to one request in this many. */
export const FAIL_EVERY = 2;

/**
 * A capacity-limited instance of the overload scenarios (issue 17; capacity.ts): requests in service at once
 * and the service time of each, ms. Three of them serve 3 × 10 / 50 ms = 600 requests/s, so RATE is about
 * 83 % of the fleet's capacity, and 125 % of what is left with one of them paused.
 */
export const INSTANCE_CAPACITY = { concurrency: 10, serviceMs: 50 } as const;
/** The `surge` scenario: offered load as a share of the fleet's capacity during the surge, and before and after it. */
export const SURGE_FACTOR = 1.5;
export const CALM_FACTOR = 0.7;
/** The `freeze` scenario: how long the caller blocks its own event loop, and how late every instance answers (no limit), ms. */
export const FREEZE_MS = 1200;
export const FREEZE_SERVICE_MS = 50;
/**
 * The `tail` scenario (issue 17, for hedging): every instance answers in TAIL_SERVICE_MS (no concurrency limit),
 * and one request in TAIL_EVERY (2 %) TAIL_FACTOR times later (drawn evenly between the two factors).
 */
export const TAIL_SERVICE_MS = 20;
export const TAIL_EVERY = 50;
export const TAIL_FACTOR = [10, 20] as const;
/** "Good" in the overload figures: a 2xx answer within this long of the intended send time, ms. */
export const GOOD_WITHIN_MS = 1000;
/** After the fault, a second counts as recovered once at least this share of its requests is good. */
export const GOOD_SHARE = 0.99;

/**
 * `haproxy-tuned` (issue 17), HAProxy's overload settings (its configuration manual, `maxconn` on a `server`
 * line, `timeout queue`): a server's `maxconn` is the instance's own concurrency where it has one (capacity.ts),
 * since a request above it only waits in the instance's queue, where HAProxy can neither see it, time it out nor
 * send it elsewhere; instances without a limit get this many, far above what they need at RATE (Little's law:
 * 167 requests/s × 1 ms is less than one in flight per server, × 50 ms in `freeze` about 8), so that it binds only
 * on a server that stops answering (a paused one holds 32 requests instead of every third one sent).
 */
export const HAPROXY_MAXCONN_UNLIMITED = 32;
/**
 * How long a request waits in HAProxy's queue for a free server slot before HAProxy answers 503 itself
 * (`timeout queue`), ms: half the GOOD_WITHIN_MS deadline, so that one that gets a slot still answers well
 * within it and one that does not is told early.
 */
export const HAPROXY_QUEUE_TIMEOUT_MS = 500;

/** The generator's own timeout on a request through a proxy (the proxy's budget decides first), ms. */
export const PROXY_CLIENT_TIMEOUT_MS = 5000;

/** Repetitions of every (scenario, contender) cell. */
export const DEFAULT_REPS = 3;

/** A run whose machine was this busy on average (all cores, from /proc/stat) is marked saturated. */
export const SATURATED_BUSY_PERCENT = 90;
/**
 * A run whose generator sent its requests this late (p99 after the warm-up, ms) is marked saturated too; the time it
 * spent in its own garbage collections is not counted (run.ts, `saturationLag`).
 */
export const SATURATED_SEND_LAG_MS = 10;

/** After SIGTERM, how long a process the harness started (instance, generator, proxy) may take before SIGKILL, ms. */
export const STOP_TIMEOUT_MS = 2000;
