// `make consul`: start dev-consul on :8500 unless CONSUL_HTTP_ADDR already points at a live agent.
import { spawn } from 'node:child_process';
import { parseCommandLine } from './lib/command-line.js';

parseCommandLine('consul.js', `Usage: node scripts/consul.js   (make consul)

Starts dev-consul at CONSUL_HTTP_ADDR (default 127.0.0.1:8500) unless a Consul agent already answers
there, and logs what happens in it; ^C stops it.

Options:
  -h, --help   show this help
`);

const addr = process.env.CONSUL_HTTP_ADDR ?? '127.0.0.1:8500';
const base = /^https?:\/\//.test(addr) ? addr : `http://${addr}`;

async function agentAnswers() {
  try {
    const res = await fetch(new URL('/v1/status/leader', base), { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

if (await agentAnswers()) {
  console.log(`a Consul agent already answers at ${base}: using it`);
} else {
  const url = new URL(base);
  const child = spawn(process.execPath, [
    new URL('../packages/dev-consul/bin/dev-consul.js', import.meta.url).pathname,
    '--host', url.hostname, '--port', url.port || '8500', '--log-level', 'info',
  ], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}
