// Adds the CommonJS entry of a publishable ESM package (run by its `build` script, so `npm pack` ships it):
// dist/commonjs/index.js is `module.exports = require('../index.js')` (Node >= 20.19 can require() an ES
// module graph without top-level await, so there is one implementation and no dual-package hazard), and
// dist/commonjs/*.d.ts are copies of the ES declarations that TypeScript reads as CommonJS, because
// dist/commonjs/package.json says so. Their declaration maps still point at the shipped src/.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseCommandLine } from 'cli-kit';

const { positionals } = parseCommandLine({
  program: 'commonjs-entry.js',
  usage: `Usage: node scripts/commonjs-entry.js [PACKAGE_DIR]

Writes PACKAGE_DIR/dist/commonjs (default: the current directory's package) from its built dist/:
the CommonJS entry behind the package's "require" export condition and its declarations.

Options:
  -h, --help   show this help
`,
  allowPositionals: true,
});

const dist = path.resolve(positionals[0] ?? '.', 'dist');
const out = path.join(dist, 'commonjs');
rmSync(out, { recursive: true, force: true });

/** Every .d.ts under `dir`, as paths relative to dist/, skipping dist/commonjs itself. */
function declarations(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return full === out ? [] : declarations(full);
    return entry.name.endsWith('.d.ts') ? [path.relative(dist, full)] : [];
  });
}

const files = declarations(dist);
if (!files.includes('index.d.ts')) {
  process.stderr.write(`commonjs-entry: ${path.join(dist, 'index.d.ts')} is missing: build the package first (tsc --build)\n`);
  process.exit(1);
}
for (const file of files) {
  const target = path.join(out, file);
  mkdirSync(path.dirname(target), { recursive: true });
  const mapFrom = path.relative(path.dirname(target), path.join(dist, `${file}.map`)).split(path.sep).join('/');
  const text = readFileSync(path.join(dist, file), 'utf8').replace(/^\/\/# sourceMappingURL=.*$/m, `//# sourceMappingURL=${mapFrom}`);
  writeFileSync(target, text);
}
writeFileSync(path.join(out, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
writeFileSync(path.join(out, 'index.js'), `'use strict';\n// The ES module itself, through require(esm) (Node >= 20.19).\nmodule.exports = require('../index.js');\n`);
