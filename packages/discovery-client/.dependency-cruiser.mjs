// dependency-cruiser rules for packages/discovery-client/src: no import cycles, and the folders stay layered.
// Run from this package's folder: `npm run depcheck` (or `make depcheck` at the root; `make test` runs it).
// Paths are relative to this folder, hence the `^src/` anchors. Type-only imports count (tsPreCompilationDeps).
//
// Layers, bottom to top; a folder may import itself, the folders below it that its rule allows, and the leaves:
//   leaves      errors/ (errors/ only), options/ (nothing else of the library), logging/logger.ts,
//               and the leaf root files instance.ts, response.ts and peer-dependency.ts
//   deadline/   leaves (the header's wire format and the server-side guard)
//   transport/  leaves, and deadline/request-timeout-header.ts (the header it writes)
//   attempt/    transport/, leaves
//   breaker/    attempt/, transport/ (type-only imports), leaves
//   balancer/   breaker/, attempt/, leaves
//   outlier/    balancer/, breaker/, attempt/, transport/, leaves
//   overload/   balancer/, breaker/, attempt/, leaves (adaptive concurrency: a pick decorator like outlier/)
//   retry/      balancer/, breaker/, attempt/, transport/, leaves (the decision after an attempt: the top of the path)
//   consul/     leaves
//   resolver/   consul/, retry/, leaves
//   logging/    resolver/, attempt/, leaves, and the root file events.ts
//   root        src/*.ts (events, service-state, service-client, discovery-client, index, metrics, *-options, ...)
//               and registration/: anything
// No folder above may import a root file other than instance.ts and response.ts (logging/ may import events.ts).

const LEAF_FILES = '^src/(instance|response|peer-dependency)\\.ts$';
const LEAVES = ['^src/errors/', '^src/options/', '^src/logging/logger\\.ts$', LEAF_FILES];
// The deadline header's wire format, the one file of deadline/ the transports write with.
const REQUEST_TIMEOUT_HEADER_FILE = '^src/deadline/request-timeout-header\\.ts$';
// Any folder of src/ (root files are covered by the *-not-to-root-files rules below).
const ANY_FOLDER = '^src/[^/]+/';
// A file directly in src/.
const ROOT_FILE = '^src/[^/]+\\.ts$';

/** A folder may import, among src/'s folders, only itself and `allowed`. */
function layer(name, folder, allowed, comment, fromNot) {
  return {
    name,
    severity: 'error',
    comment,
    from: fromNot ? { path: folder, pathNot: fromNot } : { path: folder },
    to: { path: ANY_FOLDER, pathNot: [folder, ...allowed] },
  };
}

export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'A module-level import cycle (type-only imports included) makes load order matter and ties the modules ' +
        'into one unit that cannot be understood, tested or moved apart. Break it: move the shared part down a layer.',
      from: {},
      to: { circular: true },
    },

    layer('errors-layer', '^src/errors/', [LEAF_FILES],
      'errors/ is a leaf: every layer throws or checks these errors, so they may import only errors/, instance.ts and ' +
      'response.ts. Importing resolver/, transport/ or anything else makes every layer depend on that.'),
    layer('options-layer', '^src/options/', [],
      'options/ is the shared option checker that every layer uses: it imports nothing else of the library.'),
    {
      name: 'logger-leaf',
      severity: 'error',
      comment:
        'logging/logger.ts is the Logger interface that every layer takes: a leaf, it may import only instance.ts and ' +
        'response.ts. Formatting and event logging belong in the rest of logging/.',
      from: { path: '^src/logging/logger\\.ts$' },
      to: { path: ANY_FOLDER, pathNot: '^src/logging/logger\\.ts$' },
    },
    layer('deadline-layer', '^src/deadline/', LEAVES,
      'deadline/ is deadline propagation\'s wire format (the x-request-timeout-ms header) and its server-side guard: ' +
      'it may import only the leaves, so a server can use it without the client\'s layers.'),
    layer('transport-layer', '^src/transport/', [REQUEST_TIMEOUT_HEADER_FILE, ...LEAVES],
      'transport/ sends one request to one instance: it may import only the leaves and the deadline header\'s ' +
      'format (deadline/request-timeout-header.ts, the header it writes). What an outcome means (attempt/) is ' +
      'decided above it.'),
    layer('attempt-layer', '^src/attempt/', ['^src/transport/', ...LEAVES],
      'attempt/ classifies what a transport returned: it may import transport/ and the leaves.'),
    layer('breaker-layer', '^src/breaker/', ['^src/attempt/', '^src/transport/', ...LEAVES],
      'breaker/ (the per-instance circuit breaker and endpoints) sits on attempt/: it may import attempt/, ' +
      'transport/ types and the leaves, never the balancer, retries or resolvers above it.'),
    {
      name: 'breaker-transport-types-only',
      severity: 'error',
      comment:
        'breaker/ may use transport/ types (import type) but not its code: sending a request is the attempt\'s job.',
      from: { path: '^src/breaker/' },
      to: { path: '^src/transport/', dependencyTypesNot: ['type-only'] },
    },
    layer('balancer-layer', '^src/balancer/', ['^src/breaker/', '^src/attempt/', ...LEAVES],
      'balancer/ picks among endpoints (breaker/): it may import breaker/, attempt/ and the leaves.'),
    layer('outlier-layer', '^src/outlier/',
      ['^src/balancer/', '^src/breaker/', '^src/attempt/', '^src/transport/', ...LEAVES],
      'outlier/ ejects and probes endpoints: it may import balancer/, breaker/, attempt/, transport/ and the leaves.'),
    layer('overload-layer', '^src/overload/', ['^src/balancer/', '^src/breaker/', '^src/attempt/', ...LEAVES],
      'overload/ limits the attempts in flight per endpoint (a pick decorator) and queues or sheds calls beyond: ' +
      'it may import balancer/, breaker/, attempt/ and the leaves.'),
    layer('retry-layer', '^src/retry/', ['^src/balancer/', '^src/breaker/', '^src/attempt/', '^src/transport/', ...LEAVES],
      'retry/ (the retry decision, backoff, budget) decides what a call does after an attempt, from its pick and its ' +
      'outcome: it may import balancer/, breaker/, attempt/, transport/ and the leaves, never the resolvers or the root.'),
    layer('consul-layer', '^src/consul/', LEAVES,
      'consul/ is the Consul HTTP client: it may import only the leaves.'),
    layer('resolver-layer', '^src/resolver/', ['^src/consul/', '^src/retry/', ...LEAVES],
      'resolver/ turns a service name into instances: it may import consul/, retry/ (backoff) and the leaves.'),
    layer('logging-layer', '^src/logging/', ['^src/resolver/', '^src/attempt/', ...LEAVES],
      'logging/ formats what the layers report: it may import resolver/, attempt/, the leaves and events.ts.',
      '^src/logging/logger\\.ts$'),

    {
      name: 'layers-not-to-root-files',
      severity: 'error',
      comment:
        'The root files (events, service-state, service-client, discovery-client, index, metrics, *-options, ...) ' +
        'assemble the layers; a layer that imports one depends on everything. Only the leaf root files ' +
        'instance.ts, response.ts and peer-dependency.ts may be imported from a folder.',
      from: {
        path: [
          '^src/(errors|options|deadline|transport|attempt|breaker|balancer|outlier|overload|retry|consul|resolver)/',
          '^src/logging/logger\\.ts$',
        ],
      },
      to: { path: ROOT_FILE, pathNot: LEAF_FILES },
    },
    {
      name: 'logging-not-to-root-files',
      severity: 'error',
      comment:
        'logging/ may import events.ts (the events it logs) and the leaf root files, no other root file: the root ' +
        'assembles logging, not the other way round.',
      from: { path: '^src/logging/', pathNot: '^src/logging/logger\\.ts$' },
      to: { path: ROOT_FILE, pathNot: ['^src/events\\.ts$', LEAF_FILES] },
    },
  ],
  options: {
    // Only the library's own modules: npm packages and node: built-ins are not layered.
    includeOnly: '^src/',
    doNotFollow: { path: 'node_modules' },
    // Count `import type` too: a type-only cycle between folders is still a cycle we forbid.
    tsPreCompilationDeps: true,
    // NodeNext: `./x.js` specifiers resolve to `./x.ts`.
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
