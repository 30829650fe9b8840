// Fixture instances as real child processes, started and stopped by process-supervisor's startProcess.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startProcess } from 'process-supervisor';
import type { ManagedProcess } from 'process-supervisor';

const FIXTURE = fileURLToPath(new URL('../fixtures/instance-server.mjs', import.meta.url));
const PLAIN_FIXTURE = fileURLToPath(new URL('../fixtures/http-instance.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const START_TIMEOUT_MS = 10_000;

/** A fixture instance running as a child process. */
export interface InstanceProcess {
  id: string;
  process: ManagedProcess;
  child: ChildProcess;
  port: number;
  url: string;
}

/** Runs `script`; resolves once it printed `listening on port <n>` and, when given, a line matching `ready`. */
async function startListening(id: string, script: string, env: NodeJS.ProcessEnv, ready?: RegExp): Promise<InstanceProcess> {
  const managed = startProcess({ name: id, args: [script], env });
  try {
    const port = await managed.listeningPort(START_TIMEOUT_MS);
    if (ready) await managed.waitForLine(ready, START_TIMEOUT_MS);
    return { id, process: managed, child: managed.process, port, url: `http://127.0.0.1:${port}` };
  } catch (error) {
    await managed.stop('SIGKILL');
    throw error;
  }
}

/** Starts the fixture server (an instance of `service`); resolves once it printed its port and registered. */
export async function startInstance(id: string, consulAddr: string, ttl = '2s', handleSignals = false, service = 'ratings'): Promise<InstanceProcess> {
  if (!existsSync(DIST)) throw new Error('integration tests run the built library: npx tsc -p packages/discovery-client/tsconfig.json');
  const env = { CONSUL_HTTP_ADDR: consulAddr, SERVICE_NAME: service, INSTANCE_ID: id, TTL: ttl, LOG_FORMAT: '', HANDLE_SIGNALS: handleSignals ? '1' : '' };
  return startListening(id, FIXTURE, env, /^registered$/);
}

/** Starts a plain HTTP instance (no registry) on `port` (0: a free one), with `env` added; resolves once it listens. */
export async function startPlainInstance(id: string, port = 0, env: NodeJS.ProcessEnv = {}): Promise<InstanceProcess> {
  return startScript(id, PLAIN_FIXTURE, { ...env, PORT: String(port) });
}

/** Runs `script` (a process that prints `listening on port <n>`) with `env` added; resolves once it listens. */
export async function startScript(id: string, script: string, env: NodeJS.ProcessEnv = {}): Promise<InstanceProcess> {
  return startListening(id, script, { INSTANCE_ID: id, ...env });
}

/** SIGCONT (in case it is stopped) then SIGKILL, and wait for the exit. */
export async function killInstance(instance: InstanceProcess): Promise<void> {
  await instance.process.stop('SIGKILL');
}
