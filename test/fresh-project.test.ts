// A stranger's first hour, for real: a new `npm init -y` project installs the packed tarballs (no
// workspace, no monorepo), compiles the README's example with TypeScript strict + NodeNext as CommonJS
// (npm's default) and as an ES module, and runs it against the packed dev-consul's bin.
import { execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { REPO } from '../test-support/process.js';
import { packed as packedTarballs, run } from './packed.js';
import { readmeExample, readmeExampleOutput } from './readme-examples.js';

/** Ports differ from run to run. */
const anyPort = (text: string): string => text.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT');

const versionOf = (name: string): string =>
  (JSON.parse(readFileSync(path.join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

/** What a careful user's tsconfig says: strict, NodeNext, and the library's declarations checked too. */
const TSCONFIG = {
  compilerOptions: {
    strict: true,
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    types: ['node'],
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: false,
    outDir: 'dist',
  },
};

let packed: ReturnType<typeof packedTarballs>;
const projects: Record<'commonjs' | 'module', string> = { commonjs: '', module: '' };
let consulUrl = '';
let stopConsul: () => Promise<void> = async () => {};

/** A new project of `type`, with the three tarballs, TypeScript and @types/node installed. */
async function newProject(type: 'commonjs' | 'module'): Promise<string> {
  const dir = path.join(packed.root, `app-${type}`);
  mkdirSync(dir);
  await run('npm', ['init', '-y'], { cwd: dir });
  await run('npm', ['pkg', 'set', `type=${type}`], { cwd: dir });
  await run(
    'npm',
    // dev-consul's bin depends on cli-kit, which is not on npm yet either
    ['install', '--no-audit', '--no-fund', '--prefer-offline', packed.packages['discovery-client'].tarball, packed.packages['dev-consul'].tarball, packed.packages['cli-kit'].tarball,
      `typescript@${versionOf('typescript')}`, `@types/node@${versionOf('@types/node')}`],
    { cwd: dir, maxBuffer: 16 << 20 },
  );
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  return dir;
}

/** `tsc -p .` in `dir` with the project's own TypeScript (or the `tsc` given); rejects with the compiler's output. */
async function compile(dir: string, files: Record<string, string>, tsc = path.join(dir, 'node_modules', '.bin', 'tsc')): Promise<void> {
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const tsconfig = { ...TSCONFIG, files: Object.keys(files) };
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  await run(tsc, ['-p', '.'], { cwd: dir }).catch((error: { stdout?: string }) => {
    throw new Error(`tsc failed in ${dir}:\n${error.stdout ?? String(error)}`);
  });
}

/** `node script` in `dir` with the registry at `consulUrl`: resolves with exit code and output. */
function runNode(dir: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: dir, timeout: 30_000, env: { ...process.env, LOG_FORMAT: '', CONSUL_HTTP_ADDR: consulUrl, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  packed = packedTarballs();
  [projects.commonjs, projects.module] = await Promise.all([newProject('commonjs'), newProject('module')]);
  // the dev-consul bin as the user gets it: node_modules/.bin/dev-consul
  const consul = spawn(path.join(projects.commonjs, 'node_modules', '.bin', 'dev-consul'), ['--port', '0', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  stopConsul = () => new Promise((resolve) => (consul.exitCode !== null ? resolve() : (consul.once('exit', () => resolve()), consul.kill('SIGTERM'))));
  consulUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    consul.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    consul.once('exit', (code) => reject(new Error(`dev-consul exited ${code}: ${out}`)));
  });
});

afterAll(async () => {
  await stopConsul();
});

describe.each(['commonjs', 'module'] as const)('a new "type": "%s" project with the packed tarballs', (type) => {
  it('compiles the README example (strict, NodeNext, library declarations checked) and runs it against dev-consul', async () => {
    const dir = projects[type];
    await compile(dir, { 'example.ts': readmeExample('README.md', 'fresh-project') });
    const output = readFileSync(path.join(dir, 'dist', 'example.js'), 'utf8');
    expect(output).toContain(type === 'commonjs' ? 'require("discovery-client")' : "from 'discovery-client'");
    const result = await runNode(dir, ['dist/example.js']);
    expect(result.stderr).toBe('');
    // exactly what the README shows under the example
    expect(anyPort(result.stdout)).toBe(anyPort(readmeExampleOutput('README.md', 'fresh-project')));
    expect(result.code).toBe(0);
  });

  it('asks for prom-client or pino by name when metrics or JSON logs are wanted without them installed', async () => {
    const load = type === 'commonjs' ? "const dc = require('discovery-client');" : "const dc = await import('discovery-client');";
    const script = `${load}
      for (const attempt of [() => new dc.DiscoveryClient({ metrics: { getSingleMetric() {}, registerMetric() {} } }), () => dc.createJsonLogger()]) {
        try { attempt(); console.log('no error'); } catch (error) {
          console.log(error instanceof dc.MissingPeerDependencyError, error.code, error.packageName, error.message);
        }
      }`;
    const result = await runNode(projects[type], type === 'commonjs' ? ['-e', script] : ['--input-type=module', '-e', script]);
    expect(result.stdout.trim().split('\n')).toEqual([
      'true ERR_MISSING_PEER_DEPENDENCY prom-client metrics need the optional peer dependency prom-client, which is not installed: npm install prom-client',
      'true ERR_MISSING_PEER_DEPENDENCY pino JSON logs need the optional peer dependency pino, which is not installed: npm install pino',
    ]);
  });
});

describe('the other README examples', () => {
  it('compile in the ES module project', async () => {
    await compile(projects.module, {
      'discovery-client-readme.ts': readmeExample('packages/discovery-client/README.md', 'compile'),
      'dev-consul-readme.ts': readmeExample('packages/dev-consul/README.md', 'compile'),
    });
  });
});

it('compiles the README example with TypeScript 7 (what `npm i -D typescript` installs since 7.0) in both projects', async () => {
  // beside the projects, so each keeps its own TypeScript; the compiler finds @types/node from the project
  const ts7 = path.join(packed.root, 'ts7');
  mkdirSync(ts7, { recursive: true });
  await run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefer-offline', '--prefix', ts7, 'typescript@7'], { cwd: ts7, maxBuffer: 16 << 20 });
  const tsc = path.join(ts7, 'node_modules', '.bin', 'tsc');
  expect((await run(tsc, ['--version'], { cwd: ts7 })).stdout).toMatch(/^Version 7\./);
  for (const type of ['commonjs', 'module'] as const) {
    await compile(projects[type], { 'example7.ts': readmeExample('README.md', 'fresh-project') }, tsc);
    const result = await runNode(projects[type], ['dist/example7.js']);
    expect(anyPort(result.stdout)).toBe(anyPort(readmeExampleOutput('README.md', 'fresh-project')));
  }
}, 240_000);

it('installs without prom-client and pino: they are optional peers', () => {
  const lock = JSON.parse(readFileSync(path.join(projects.commonjs, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
  expect(Object.keys(lock.packages)).not.toContain('node_modules/prom-client');
  expect(Object.keys(lock.packages)).not.toContain('node_modules/pino');
});
