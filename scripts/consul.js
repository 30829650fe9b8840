// `make consul`: start dev-consul on :8500 unless CONSUL_HTTP_ADDR already points at a live agent.
import { Supervisor } from 'process-supervisor';
import { consulAgent, consulAnswers } from './lib/consul-agent.js';
import { parseCommandLine } from 'cli-kit';

parseCommandLine({ program: 'consul.js', usage: `Usage: node scripts/consul.js   (make consul)

Starts dev-consul at CONSUL_HTTP_ADDR (default 127.0.0.1:8500) unless a Consul agent already answers
there, and logs what happens in it; ^C stops it.

Options:
  -h, --help   show this help
` });

if (await consulAnswers()) {
  console.log(`a Consul agent already answers at ${consulAgent.baseUrl}: using it`);
} else {
  const supervisor = new Supervisor();
  const consul = supervisor.start({
    name: 'consul', prefix: '',
    args: [new URL('../packages/dev-consul/bin/dev-consul.js', import.meta.url).pathname,
      '--host', consulAgent.host, '--port', String(consulAgent.port), '--log-level', 'info'],
  });
  supervisor.handleSignals(() => void supervisor.stopAll().then(() => process.exit(0)));
  const { code } = await consul.exited;
  if (!supervisor.stopping) process.exit(code ?? 1);
}
