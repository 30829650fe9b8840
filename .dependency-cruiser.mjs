// dependency-cruiser across the repo: no import cycle in any package's src/ (type-only imports count).
// `npm run depcheck` at the root runs it after discovery-client's own, stricter rules (its folders stay layered,
// packages/discovery-client/.dependency-cruiser.mjs); `make depcheck` and `make test` run both.

export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'A module-level import cycle (type-only imports included) makes load order matter and ties the modules ' +
        'into one unit that cannot be understood, tested or moved apart. Break it: move the shared part into a file of its own.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    // Each package's own sources; imports of another package go through its built dist/ and are left out.
    includeOnly: '^packages/[^/]+/src/',
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
  },
};
