// What `npm pack` ships for the publishable packages, checked on the real tarballs: the build is in it
// (prepack), every source map points at a file that ships, both export conditions resolve, nothing
// from the repository's insides leaks, and publint and arethetypeswrong find nothing wrong.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { REPO } from '../test-support/process.js';
import { PUBLISHABLE, packed, run } from './packed.js';
import type { PackedPackage, Publishable } from './packed.js';

const pkg = (name: Publishable): PackedPackage => packed().packages[name];
const BIN = (tool: string): string => path.join(REPO, 'node_modules', '.bin', tool);

describe.each(PUBLISHABLE)('the packed %s', (name) => {
  it('ships the build, the CommonJS entry, the sources, README, LICENSE and CHANGELOG, and nothing else', () => {
    const { files } = pkg(name);
    for (const file of [
      'package.json', 'README.md', 'LICENSE', 'CHANGELOG.md',
      'dist/index.js', 'dist/index.d.ts', 'dist/index.js.map', 'dist/index.d.ts.map',
      'dist/commonjs/index.js', 'dist/commonjs/index.d.ts', 'dist/commonjs/package.json',
      'src/index.ts',
    ]) {
      expect(files).toContain(file);
    }
    const outside = files.filter((f) => !/^(package\.json|README\.md|LICENSE|CHANGELOG\.md|dist\/.+|src\/.+\.ts|bin\/[\w-]+\.js)$/.test(f));
    expect(outside).toEqual([]);
    expect(files.filter((f) => /tsbuildinfo|\.test\.|test-output|node_modules/.test(f))).toEqual([]);
    // every module in src/ was built: no stale or missing output
    const sources = files.filter((f) => f.startsWith('src/')).map((f) => f.replace(/^src\/(.*)\.ts$/, '$1'));
    expect(sources.filter((s) => !files.includes(`dist/${s}.js`) || !files.includes(`dist/commonjs/${s}.d.ts`))).toEqual([]);
  });

  it('ships every file its source maps point at', () => {
    const { dir, files } = pkg(name);
    const maps = files.filter((f) => f.endsWith('.map'));
    // every built module has its map (cli-kit has 4 modules, discovery-client dozens)
    const modules = files.filter((f) => /^dist\/(?!commonjs\/).+\.js$/.test(f));
    expect(modules.length).toBeGreaterThan(0);
    expect(modules.filter((f) => !files.includes(`${f}.map`))).toEqual([]);
    const dangling: string[] = [];
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(path.join(dir, map), 'utf8')) as { sources: string[] };
      for (const source of sources) {
        const target = path.resolve(path.dirname(path.join(dir, map)), source);
        if (!existsSync(target)) dangling.push(`${map} -> ${source}`);
      }
    }
    // the CommonJS declarations point back at the ES declarations' maps
    for (const decl of files.filter((f) => f.startsWith('dist/commonjs/') && f.endsWith('.d.ts'))) {
      const url = /\/\/# sourceMappingURL=(.+)$/m.exec(readFileSync(path.join(dir, decl), 'utf8'))?.[1];
      if (url === undefined || !existsSync(path.resolve(path.dirname(path.join(dir, decl)), url))) dangling.push(`${decl} -> ${url}`);
    }
    expect(dangling).toEqual([]);
  });

  it('passes publint', async () => {
    const { stdout } = await run(BIN('publint'), ['--strict', '--pack', 'false', pkg(name).dir]);
    expect(stdout).toContain('All good!');
  });

  it('passes arethetypeswrong: types resolve for require() and import under node10, node16 and bundlers', async () => {
    // attw exits non-zero on any problem; --format json lets the test show what it found.
    const result = await run(BIN('attw'), ['--format', 'json', pkg(name).tarball]).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const report = JSON.parse(result.stdout) as { analysis: { problems: unknown[] } };
    expect(report.analysis.problems).toEqual([]);
  });
});

describe('the packed discovery-client', () => {
  it('keeps prom-client and pino out of its dependencies: optional peers, loaded only when asked for', () => {
    const manifest = JSON.parse(readFileSync(path.join(pkg('discovery-client').dir, 'package.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(Object.keys(manifest.dependencies ?? {})).not.toEqual(expect.arrayContaining(['prom-client']));
    expect(Object.keys(manifest.dependencies ?? {})).not.toContain('pino');
    expect(manifest.peerDependenciesMeta).toEqual({ '@opentelemetry/api': { optional: true }, pino: { optional: true }, 'prom-client': { optional: true } });
    const declarations = pkg('discovery-client').files.filter((f) => f.endsWith('.d.ts'));
    const read = (f: string) => readFileSync(path.join(pkg('discovery-client').dir, f), 'utf8');
    const importing = declarations.filter((f) => /from ['"](pino|prom-client)['"]/.test(read(f)));
    expect(importing).toEqual([]);
    // tracing's declarations name the API's types; no other declaration imports them, so no public type needs it
    const importingTracing = declarations.filter((f) => /from ['"](@opentelemetry\/api|\.\/tracing\.js)['"]/.test(read(f)));
    expect(importingTracing).toEqual(['dist/commonjs/tracing.d.ts', 'dist/tracing.d.ts']);
  });
});
