import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('../fixtures/instance-server.mjs', import.meta.url));
const PLAIN_FIXTURE = fileURLToPath(new URL('../fixtures/http-instance.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

/** A fixture instance running as a child process. */
export interface InstanceProcess {
  id: string;
  child: ChildProcess;
  port: number;
  url: string;
  output: string[];
}

/** Starts the fixture server (an instance of `service`); resolves once it printed its port and registered. */
export async function startInstance(id: string, consulAddr: string, ttl = '2s', handleSignals = false, service = 'ratings'): Promise<InstanceProcess> {
  if (!existsSync(DIST)) throw new Error('integration tests run the built library: npx tsc -p packages/discovery-client/tsconfig.json');
  const child = spawn(process.execPath, [FIXTURE], {
    env: { ...process.env, CONSUL_HTTP_ADDR: consulAddr, SERVICE_NAME: service, INSTANCE_ID: id, TTL: ttl, LOG_FORMAT: '', HANDLE_SIGNALS: handleSignals ? '1' : '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    let port = 0;
    const timer = setTimeout(() => reject(new Error(`${id} did not start: ${output.join('')}`)), 10_000);
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      output.push(text);
      const match = /listening on port (\d+)/.exec(text);
      if (match) port = Number(match[1]);
      if (port && output.join('').includes('registered')) {
        clearTimeout(timer);
        resolve({ id, child, port, url: `http://127.0.0.1:${port}`, output });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!port) reject(new Error(`${id} exited with ${code}: ${output.join('')}`));
    });
  });
}

/** Starts a plain HTTP instance (no registry) on `port` (0: a free one), with `env` added; resolves once it listens. */
export async function startPlainInstance(id: string, port = 0, env: NodeJS.ProcessEnv = {}): Promise<InstanceProcess> {
  return startScript(id, PLAIN_FIXTURE, { ...env, PORT: String(port) });
}

/** Runs `script` (a process that prints `listening on port <n>`) with `env` added; resolves once it listens. */
export async function startScript(id: string, script: string, env: NodeJS.ProcessEnv = {}): Promise<InstanceProcess> {
  const child = spawn(process.execPath, [script], { env: { ...process.env, INSTANCE_ID: id, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${id} did not start: ${output.join('')}`)), 10_000);
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      output.push(chunk.toString());
      const match = /listening on port (\d+)/.exec(output.join(''));
      if (match) {
        clearTimeout(timer);
        const listening = Number(match[1]);
        resolve({ id, child, port: listening, url: `http://127.0.0.1:${listening}`, output });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${id} exited with ${code}: ${output.join('')}`));
    });
  });
}

/** SIGCONT (in case it is stopped) then SIGKILL, and wait for the exit. */
export async function killInstance(instance: InstanceProcess): Promise<void> {
  const { child } = instance;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGCONT');
  child.kill('SIGKILL');
  await exited;
}
