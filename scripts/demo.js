// `make demo`: the walkthrough, running. dev-consul on :8500 (or your Consul at CONSUL_HTTP_ADDR), the market
// with ratings on :5000 (PORT) and three ratings instances on :8001-8003 (PORT=0: all on free ports). ^C (or SIGTERM,
// SIGHUP, or the output pipe closing) stops everything, in order: ratings first (they deregister), then the
// market, then dev-consul. The children run under process-supervisor: none outlives this script.
import { ConsulCatalog } from 'discovery-client';
import { Supervisor, waitFor } from 'process-supervisor';
import { consulAgent, consulAnswers } from './lib/consul-agent.js';
import { parseCommandLine } from 'cli-kit';

parseCommandLine({ program: 'demo.js', usage: `Usage: node scripts/demo.js   (make demo)

The walkthrough, running: dev-consul (unless CONSUL_HTTP_ADDR answers), the market with ratings and
three ratings instances. ^C stops everything: ratings first, then the market, then dev-consul
(also when the output pipe closes, e.g. make demo | tee log; no child outlives the demo).

Options:
  -h, --help   show this help

Environment:
  CONSUL_HTTP_ADDR   the Consul agent (default 127.0.0.1:8500)
  PORT               the market's port (default 5000); 0: the market and the ratings instances
                     on free ports (else ratings take 8001-8003)
` });

const root = new URL('..', import.meta.url).pathname;
const COLORS = { consul: 35, market: 36, ratings: 33 };
const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const consulBase = consulAgent.baseUrl;

const supervisor = new Supervisor({
  onUnexpectedExit: (child, exit) => {
    supervisor.say(`${child.name} exited unexpectedly (${exit.signal ?? `code ${exit.code}`}): stopping the demo`);
    void stop(1);
  },
});

function say(line) {
  supervisor.say(useColor ? `\x1b[32m${line}\x1b[0m` : line);
}

function start(name, args, env = {}, prefix = `[${name}] `) {
  return supervisor.start({ name, args, cwd: root, env: { CONSUL_HTTP_ADDR: consulBase, ...env }, prefix, color: COLORS[name] });
}

let stopping;
function stop(code = 0) {
  stopping ??= (async () => {
    say('\nstopping: ratings instances (they deregister), then the market, then dev-consul…');
    await supervisor.stopAll([/^ratings$/, /^market$/, /^consul$/]);
    say('demo stopped');
    process.exit(code);
  })();
  return stopping;
}
supervisor.handleSignals(() => void stop(0));

/** What the demo waits for comes up within 15 s, or the demo says what did not and stops. */
const COMING_UP = { timeoutMs: 15_000, intervalMs: 200 };
const giveUp = async (error) => {
  say(error.message);
  return stop(1);
};

if (await consulAnswers()) {
  say(`a Consul agent answers at ${consulBase}: using it (not started by this demo; it stays up after ^C)`);
} else {
  start('consul', ['packages/dev-consul/bin/dev-consul.js', '--host', consulAgent.host, '--port', String(consulAgent.port), '--log-level', 'warn']);
  await waitFor(consulAnswers, { ...COMING_UP, what: `dev-consul on ${consulBase}` }).catch(giveUp);
  say(`dev-consul answers at ${consulBase}`);
}

const market = start('market', ['packages/market/dist/main.js'], { PORT: process.env.PORT || '5000' });
// The port comes from the market's own `listening on port <n>` line, so PORT=0 works.
const marketPort = await market.listeningPort(15_000).catch(async (error) => {
  say(`the market did not come up: ${error.message}`);
  return stop(1);
});
// PORT=0 moves the ratings instances to free ports too (else they take 8001-8003)
start('ratings', ['packages/ratings/dist/start-ratings.js', '--count', '3'], { PORT: process.env.PORT === '0' ? '0' : undefined }, '');
// The guide comes once the three instances pass in Consul, so it is the last thing on the screen.
const catalog = new ConsulCatalog({ consul: consulAgent, timeoutMs: 1000 });
await waitFor(async () => (await catalog.instances('ratings')).length >= 3, { ...COMING_UP, what: 'three ratings instances' }).catch(giveUp);
catalog.close();

const url = `http://localhost:${marketPort}/`;
say(`
  ┌─────────────────────────────────────────────────────────────────────────────┐
  │ The market is up:  ${url.padEnd(57)}│
  │ Live status:       ${`${url}status`.padEnd(57)}│
  └─────────────────────────────────────────────────────────────────────────────┘
  Things to try, in another terminal (reload the market page after each one and
  watch this console and /status):
    make startRatings INSTANCE=4   a fourth instance joins the rotation (^Z pauses it,
                                   fg resumes it, ^C stops it and it deregisters)
    kill -STOP <pid> / kill -CONT <pid>   pause / resume ratings-N (pids are printed
                                   above as "started ratings-N (pid …)"); a paused
                                   instance costs one 1 s timeout, then its breaker
                                   opens; Consul drops it once its 15 s TTL runs out;
                                   the breaker retests it 30 s after opening, or as
                                   soon as Consul lists it again
    kill <pid>                     an instance leaves cleanly (it deregisters first)
    make roll SERVICE=ratings VERSION=2.0   replace the instances one by one with
                                   version 2.0 (ratings with votes), no failed request
    make watchRatings              the version and votes of one answer per second
  ^C here stops everything.
`);
