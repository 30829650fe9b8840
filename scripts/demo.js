// `make demo`: the walkthrough, running. dev-consul on :8500 (or your Consul at CONSUL_HTTP_ADDR), the market
// with ratings on :5000 and three ratings instances on :8001-8003. ^C (or SIGTERM) stops everything, in order:
// ratings first (they deregister), then the market, then dev-consul.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseCommandLine } from './lib/command-line.js';

parseCommandLine('demo.js', `Usage: node scripts/demo.js   (make demo)

The walkthrough, running: dev-consul (unless CONSUL_HTTP_ADDR answers), the market with ratings and
three ratings instances. ^C stops everything: ratings first, then the market, then dev-consul.

Options:
  -h, --help   show this help

Environment:
  CONSUL_HTTP_ADDR   the Consul agent (default 127.0.0.1:8500)
  PORT               the market's port (default 5000)
`);

const root = fileURLToPath(new URL('..', import.meta.url));
const addr = process.env.CONSUL_HTTP_ADDR || '127.0.0.1:8500';
const consulBase = /^https?:\/\//.test(addr) ? addr : `http://${addr}`;
const marketPort = process.env.PORT || '5000';
const COLORS = { consul: 35, market: 36, ratings: 33, demo: 32 };
const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const children = [];
let stopping = false;

function say(line) {
  process.stdout.write(useColor ? `\x1b[${COLORS.demo}m${line}\x1b[0m\n` : `${line}\n`);
}

async function consulAnswers() {
  try {
    const res = await fetch(new URL('/v1/status/leader', consulBase), { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** Starts a child in its own process group (so ^C reaches only us and we stop them in order), output prefixed. */
function start(name, args, env = {}, prefix = `[${name}] `) {
  const child = spawn(process.execPath, args, {
    cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CONSUL_HTTP_ADDR: addr, ...env },
  });
  const color = COLORS[name] ?? 0;
  const tag = useColor ? `\x1b[${color}m${prefix}\x1b[0m` : prefix;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => process.stdout.write(`${tag}${line}\n`));
  }
  const entry = { name, child, exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))) };
  entry.exited.then(({ code, signal }) => {
    if (!stopping) {
      say(`${name} exited unexpectedly (${signal ?? `code ${code}`}): stopping the demo`);
      void stop(1);
    }
  });
  children.push(entry);
  return entry;
}

/** Sends `signal` to the child's whole process group (the launcher and its ratings instances); false if gone. */
function signalGroup(entry, signal) {
  try {
    process.kill(-entry.child.pid, signal);
    return true;
  } catch {
    return false;
  }
}

async function stopOne(entry, signal) {
  if (entry.child.exitCode !== null || entry.child.signalCode !== null) return;
  signalGroup(entry, 'SIGCONT'); // a child paused with `kill -STOP <pid>` cannot handle its signal
  entry.child.kill(signal);
  // Past the deadline, nothing of the group may survive (an instance outliving its launcher would be an orphan).
  const timer = setTimeout(() => signalGroup(entry, 'SIGKILL'), 6000);
  await entry.exited;
  clearTimeout(timer);
}

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  say('\nstopping: ratings instances (they deregister), then the market, then dev-consul…');
  for (const name of ['ratings', 'market', 'consul']) {
    await Promise.all(children.filter((entry) => entry.name === name).map((entry) => stopOne(entry, 'SIGTERM')));
  }
  say('demo stopped');
  process.exit(code);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
process.on('SIGHUP', () => void stop(0));

async function waitFor(check, what, timeoutMs = 15000) {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (stopping) return;
    if (Date.now() > until) {
      say(`${what} did not come up within ${timeoutMs / 1000} s`);
      await stop(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

if (await consulAnswers()) {
  say(`a Consul agent answers at ${consulBase}: using it`);
} else {
  const url = new URL(consulBase);
  start('consul', ['packages/dev-consul/bin/dev-consul.js', '--host', url.hostname, '--port', url.port || '8500', '--log-level', 'warn']);
  await waitFor(consulAnswers, `dev-consul on ${consulBase}`);
  say(`dev-consul answers at ${consulBase}`);
}

start('market', ['packages/market/dist/main.js'], { PORT: marketPort });
await waitFor(async () => {
  try {
    return (await fetch(`http://127.0.0.1:${marketPort}/health`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}, `the market on :${marketPort}`);
start('ratings', ['packages/ratings/dist/start-ratings.js', '--count', '3'], { PORT: '' }, '');
// The guide comes once the three instances pass in Consul, so it is the last thing on the screen.
await waitFor(async () => {
  try {
    const res = await fetch(new URL('/v1/health/service/ratings?passing', consulBase), { signal: AbortSignal.timeout(1000) });
    return res.ok && (await res.json()).length >= 3;
  } catch {
    return false;
  }
}, 'three ratings instances');

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
  ^C here stops everything.
`);
