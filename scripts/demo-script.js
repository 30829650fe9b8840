// `make demo-script`: the whole walkthrough, scripted, with the real timings (1 s timeout, 30 s breaker retest,
// 15 s TTL) on free ports. Narrates each step, shows the log lines it produced, checks what should have happened,
// and exits 0, or 1 as soon as a step's expectation fails. Takes about 45 s (the 15 s TTL, then a rolling update and a blue/green cut-over).
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { startDevConsul } from 'dev-consul';
import { Supervisor, waitFor } from 'process-supervisor';
import { parseCommandLine } from 'cli-kit';

parseCommandLine({ program: 'demo-script.js', usage: `Usage: node scripts/demo-script.js   (make demo-script)

The whole walkthrough, scripted, with the real timings, on free ports: narrates each step, shows the
log lines it produced and checks them. Exit 0, or 1 as soon as a step's expectation fails.

Options:
  -h, --help   show this help
` });

const root = fileURLToPath(new URL('..', import.meta.url));
const MARKET = 'packages/market/dist/main.js';
const RATINGS = 'packages/ratings/dist/main.js';
const DEPLOY = 'packages/deploy/dist/deploy.js';
const tty = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, text) => (tty ? `\x1b[${code}m${text}\x1b[0m` : text);
const processes = [];
// Children's output is read through onLine and shown step by step, not streamed.
const supervisor = new Supervisor({ out: new PassThrough().resume(), err: new PassThrough().resume(), stopTimeoutMs: 8000 });
let consul;
let stepNumber = 0;

function narrate(text) {
  console.log(paint('2', text.replace(/^/gm, '  ')));
}

function step(title, command) {
  stepNumber += 1;
  console.log(`\n${paint('1;32', `── Step ${stepNumber}: ${title}`)}${command ? paint('2', `   (${command})`) : ''}`);
}

/** Shows the lines `proc` printed since `mark` that match `filter`. */
function show(proc, mark, filter = /./, limit = 40) {
  const lines = proc.since(mark).split('\n').filter((line) => line && filter.test(line));
  for (const line of lines.slice(0, limit)) console.log(`    ${paint('36', `${proc.name} │`)} ${line}`);
  if (lines.length > limit) console.log(`    ${paint('36', `${proc.name} │`)} … ${lines.length - limit} more lines`);
}

async function fail(message) {
  console.log(`\n${paint('1;31', `✗ ${message}`)}`);
  await cleanup();
  process.exit(1);
}

function ok(message) {
  console.log(`  ${paint('32', '✓')} ${message}`);
}

/** Starts `node <args>` under the supervisor; its lines are read with mark/since and waited for with waitFor. */
function startNode(name, args, env) {
  const child = supervisor.start({
    name, args, cwd: root,
    env: { LOG_FORMAT: '', CONSUL_HTTP_ADDR: `127.0.0.1:${consul.port}`, PORT: '0', COLOR: undefined, ...env },
  });
  const proc = {
    name, supervised: child, child: child.process,
    exited: child.exited,
    mark: () => child.mark(),
    since: (mark) => child.since(mark),
    /** The first line matching `pattern` from line `from` on; fails the walkthrough if none comes within `timeoutMs`. */
    async waitFor(pattern, timeoutMs, from = 0, what = `${pattern}`) {
      try {
        return await child.waitForLine(pattern, timeoutMs, from);
      } catch (error) {
        return fail(`${name}: no ${what}: ${error.message}`);
      }
    },
  };
  processes.push(proc);
  return proc;
}

async function startListening(name, args, env = {}) {
  const proc = startNode(name, args, env);
  try {
    proc.port = await proc.supervised.listeningPort(15_000);
  } catch (error) {
    await fail(`${name}: not listening: ${error.message}`);
  }
  proc.url = `http://127.0.0.1:${proc.port}`;
  return proc;
}

async function stopProcess(proc, signal = 'SIGINT') {
  await supervisor.stopChild(proc.supervised, signal);
}

async function cleanup() {
  supervisor.killAll();
  await Promise.all(processes.map((proc) => proc.exited));
  await consul?.close();
}

/** Loads the shop page: status, time taken, and per Thing the rating's kind (fresh, stale, none) and stars. */
async function loadPage(market) {
  const started = Date.now();
  const res = await fetch(`${market.url}/`);
  const html = await res.text();
  const ms = Math.round(Date.now() - started);
  const things = html.split('<article class="thing"').slice(1).map((card) => ({
    thing: card.match(/data-thing="([^"]+)"/)?.[1],
    kind: card.match(/data-kind="([^"]+)"/)?.[1] ?? 'absent',
    stars: Number(card.match(/data-stars="(\d)"/)?.[1]) || undefined,
  }));
  return { status: res.status, ms, things };
}

function describePage(page) {
  return `HTTP ${page.status} in ${page.ms} ms: ${page.things.map((t) => `${t.thing} ${t.stars ? '★'.repeat(t.stars) : '–'} (${t.kind})`).join(', ')}`;
}

function usedUrls(text) {
  return new Set([...text.matchAll(/ratings using instance \d+: (\S+)/g)].map((m) => m[1]));
}

async function pageUntil(market, condition, timeoutMs, what, everyMs = 500) {
  let page;
  return waitFor(async () => {
    page = await loadPage(market);
    if (page.status !== 200) await fail(`the page answered ${page.status}`);
    return condition(page) && page;
  }, { timeoutMs, intervalMs: everyMs, what }).catch(() => fail(`${what} within ${timeoutMs / 1000} s; last page: ${page ? describePage(page) : 'none'}`));
}

process.on('SIGINT', async () => {
  console.log('\ninterrupted');
  await cleanup();
  process.exit(130);
});

const INTERESTING = /^(ASK|GOT|BAD|WAITED|resolv|ratings using|ratings instance|OPEN|HALF_OPEN|CLOSE|consul)/;
const scriptStarted = Date.now();
consul = await startDevConsul({ port: 0 });
console.log(paint('1', 'The Market walkthrough, scripted, with the real timings.'));
narrate(`dev-consul stands in for Consul on port ${consul.port}; every process below gets a free port.`);

// 1. The monolith.
step('the monolith: a shop with no ratings and no Consul', 'make monolith');
const monolith = await startListening('market', [MARKET, '--monolith']);
let page = await loadPage(monolith);
narrate(describePage(page));
if (page.status !== 200 || page.things.length !== 4 || page.things.some((t) => t.kind !== 'absent')) await fail('the monolith should show four Things and no ratings');
ok('four Things, prices, a cart; no ratings at all');
await stopProcess(monolith);

// 2. The market learns about ratings.
step('the market with ratings, before any ratings instance runs', 'make add-ratings');
const market = await startListening('market', [MARKET]);
let mark = market.mark();
page = await loadPage(market);
narrate(describePage(page));
show(market, mark, INTERESTING, 12);
if (page.status !== 200 || page.things.some((t) => t.kind !== 'none')) await fail('every Thing should say "no rating yet"');
await market.waitFor(/BAD camera: all ratings instances are down/, 5000, mark, 'the "all ratings instances are down" line');
ok('the page still works and says "No rating yet"; the log says why');

// 3. Three instances.
step('start three ratings instances', 'make startRatings COUNT=3');
const ratings = [];
for (const n of [1, 2, 3]) ratings[n] = await startListening(`ratings-${n}`, [RATINGS, '--instance', String(n)]);
for (const n of [1, 2, 3]) await ratings[n].waitFor(/registered ratings-\d/, 10_000, 0, 'registration');
narrate(`ratings-1, -2, -3 listen on ${ratings.slice(1).map((r) => r.port).join(', ')} and register with a 15 s TTL, heartbeat every 5 s.`);
mark = market.mark();
page = await pageUntil(market, (p) => p.things.every((t) => t.kind === 'fresh'), 10_000, 'all four ratings');
narrate(describePage(page));
show(market, mark, INTERESTING, 16);
if (usedUrls(market.since(mark)).size < 2) await fail('the calls should spread over the instances');
ok('every Thing has its rating, and the calls go round-robin over the instances');

// 4. Kill them all.
step('kill every ratings instance (^C)', '^C in the startRatings terminal');
mark = market.mark();
for (const n of [1, 2, 3]) await stopProcess(ratings[n], 'SIGINT');
narrate('each instance deregisters from Consul before it stops listening:');
show(ratings[1], 0, /SIGINT|deregistered|stopped/);
// The market's watch learns of the deregistrations within a moment; a reload before that would still try them.
await market.waitFor(/resolved ratings => \[\]/, 5000, mark, 'the market seeing no instance left');
show(market, mark, /^resolv/);
mark = market.mark();
page = await pageUntil(market, () => /all ratings instances are down/.test(market.since(mark)), 10_000, '"all ratings instances are down"');
narrate(describePage(page));
show(market, mark, INTERESTING, 12);
if (page.things.some((t) => t.kind !== 'stale')) await fail('the page should show the last ratings, marked as possibly stale');
ok('HTTP 200, the last known ratings marked "may be stale", and the log says all ratings instances are down');

// 5. One instance.
step('start instance 1 again', 'make startRatings INSTANCE=1');
// instance N comes back on the port it had, as it takes 8000+N in the walkthrough
ratings[1] = await startListening('ratings-1', [RATINGS, '--instance', '1'], { PORT: String(ratings[1].port) });
await ratings[1].waitFor(/registered/, 10_000, 0, 'registration');
await pageUntil(market, (p) => p.things.every((t) => t.kind === 'fresh'), 10_000, 'fresh ratings from instance 1');
mark = market.mark();
page = await loadPage(market);
narrate(describePage(page));
show(market, mark, INTERESTING, 12);
if ([...usedUrls(market.since(mark))].join() !== ratings[1].url) await fail(`every call should go to ${ratings[1].url}`);
ok(`every call goes to the one instance, ${ratings[1].url}`);

// 6. Two instances.
step('start instance 2', 'make startRatings INSTANCE=2');
ratings[2] = await startListening('ratings-2', [RATINGS, '--instance', '2'], { PORT: String(ratings[2].port) });
await ratings[2].waitFor(/registered/, 10_000, 0, 'registration');
mark = market.mark();
await pageUntil(market, () => usedUrls(market.since(mark)).has(ratings[2].url), 10_000, 'a call to instance 2');
mark = market.mark();
page = await loadPage(market);
narrate(describePage(page));
show(market, mark, INTERESTING, 12);
if (usedUrls(market.since(mark)).size !== 2) await fail('calls should interleave between instances 1 and 2');
ok('calls interleave between the two instances');

// 7. Pause instance 2.
step('pause instance 2 (^Z)', '^Z in the INSTANCE=2 terminal');
ratings[2].child.kill('SIGSTOP');
const pausedAt = Date.now();
mark = market.mark();
page = await pageUntil(market, () => new RegExp(`OPEN breaker on \\[ratings at ${ratings[2].url}\\]`).test(market.since(mark)), 10_000, 'the breaker on instance 2 opening');
narrate(describePage(page));
show(market, mark, INTERESTING, 16);
if (!/WAITED \d+ms/.test(market.since(mark))) await fail('the slow call should log WAITED');
if (page.things.some((t) => t.kind !== 'fresh')) await fail('the page should still be complete: the failed call is retried on instance 1');
ok(`the call to the paused instance timed out after 1 s, its breaker opened, the retry went to instance 1; the page is complete`);
narrate('the market now skips instance 2. Its heartbeat has stopped: Consul marks it critical once its 15 s TTL passes…');
mark = market.mark();
await pageUntil(market, () => new RegExp(`resolved ratings => \\[${ratings[1].url}\\]`).test(market.since(mark)), 30_000, 'Consul dropping instance 2', 2000);
show(market, mark, /^resolv/);
ok(`Consul dropped instance 2 after ${Math.round((Date.now() - pausedAt) / 1000)} s`);

// 8. Resume instance 2.
step('resume instance 2 (fg)', 'fg in the INSTANCE=2 terminal');
ratings[2].child.kill('SIGCONT');
narrate('its heartbeat resumes and Consul lists it again. Its breaker is still open: it lets one probe through as soon as Consul\nlists the instance again (or else 30 s after it opened), and the next call is that probe…');
mark = market.mark();
await pageUntil(market, () => new RegExp(`CLOSE breaker on \\[ratings at ${ratings[2].url}\\]`).test(market.since(mark)), 60_000, 'the breaker on instance 2 closing', 2000);
show(market, mark, /^(resolv|HALF_OPEN|CLOSE|OPEN)/);
ok(`the breaker closed ${Math.round((Date.now() - pausedAt) / 1000)} s after the pause`);
mark = market.mark();
page = await loadPage(market);
narrate(describePage(page));
show(market, mark, INTERESTING, 12);
if (usedUrls(market.since(mark)).size !== 2) await fail('calls should interleave between instances 1 and 2 again');
ok('calls interleave between the two instances again');

// 9. Rolling update.
step('roll ratings to version 2.0 while the page reloads', 'make roll SERVICE=ratings VERSION=2.0');
narrate('one at a time: start a 2.0 instance, wait until Consul lists it passing, then retire a 1.0 one (it deregisters,\ndrains for 1 s, answers its requests in flight, exits). The page is reloaded every 200 ms meanwhile.');
mark = market.mark();
const roll = startNode('roll', [DEPLOY, 'roll', '--service', 'ratings', '--version', '2.0']);
let reloads = 0;
await waitFor(async () => {
  if (/^roll complete/m.test(roll.since(0))) return true;
  page = await loadPage(market);
  reloads += 1;
  if (page.status !== 200 || page.things.some((t) => t.kind !== 'fresh')) await fail(`during the roll a page was not complete: ${describePage(page)}`);
  if (roll.child.exitCode !== null) await fail(`the roll stopped:\n${roll.since(0)}`);
  return false;
}, { timeoutMs: 120_000, intervalMs: 200, what: 'the roll to complete' }).catch((error) => fail(error.message));
show(roll, 0, /^(rolling|step|started|retiring|ratings-\d+ (is passing|left|stopped)|roll complete)/);
show(market, mark, /^resolv/);
const versions = (await (await fetch(`${market.url}/status.json`)).json()).instances.filter((i) => i.health === 'passing').map((i) => i.version);
if (versions.length !== 2 || versions.some((v) => v !== '2.0')) await fail(`/status should list two passing 2.0 instances, got ${versions.join(', ')}`);
ok(`${reloads} reloads during the roll, every one complete; /status lists two passing instances of version 2.0`);

// 10. Blue/green.
step('blue/green: pin blue, two green instances of 3.0, then cut over', 'make cutover SERVICE=ratings COLOR=blue; make scale SERVICE=ratings COUNT=4 VERSION=3.0 COLOR=green; make cutover SERVICE=ratings COLOR=green');
narrate('the running instances are blue (the default color); pinning callers to blue keeps the green ones out of\nthe rotation until the cut-over.');
const pin = startNode('cutover-blue', [DEPLOY, 'cutover', '--service', 'ratings', '--color', 'blue']);
if ((await pin.exited).code !== 0) await fail(`pinning blue failed:\n${pin.since(0)}`);
show(pin, 0);
const scale = startNode('scale', [DEPLOY, 'scale', '--service', 'ratings', '--count', '4', '--version', '3.0', '--color', 'green']);
await scale.waitFor(/runs 4 instance/, 60_000, 0, 'the green instances');
const greenUrls = [...scale.since(0).matchAll(/ratings-\d+ is passing in Consul at (\S+)/g)].map((m) => m[1]);
mark = market.mark();
await loadPage(market);
if ([...usedUrls(market.since(mark))].some((url) => greenUrls.includes(url))) await fail('before the cut-over no call should go to a green instance');
ok('the green instances run, and no call goes to them yet');
mark = market.mark();
const cut = startNode('cutover', [DEPLOY, 'cutover', '--service', 'ratings', '--color', 'green']);
if ((await cut.exited).code !== 0) await fail(`the cut-over failed:\n${cut.since(0)}`);
show(cut, 0);
await market.waitFor(new RegExp(`resolved ratings => \\[${greenUrls.join(', ')}\\]`), 5000, mark, 'the market routing to the green instances only');
show(market, mark, /^resolv/);
mark = market.mark();
page = await loadPage(market);
narrate(describePage(page));
if (![...usedUrls(market.since(mark))].every((url) => greenUrls.includes(url))) await fail('after the cut-over every call should go to a green instance');
ok('one KV write, and the market calls only the green instances; the blue 2.0 instances keep running until retired');
const back = startNode('cutover-back', [DEPLOY, 'cutover', '--service', 'ratings', '--color', 'blue']);
await back.exited;
show(back, 0);

step('done: stopping everything');
for (const proc of [scale, roll, ratings[1], ratings[2], market]) await stopProcess(proc, 'SIGINT');
await cleanup();
console.log(paint('1;32', `\nThe walkthrough ran as expected in ${Math.round((Date.now() - scriptStarted) / 1000)} s.`));
