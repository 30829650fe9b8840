/**
 * The full-length system test: `npx tsx packages/reddit-services/scripts/system-test.ts [options]`
 * (build first: `npx tsc -p packages/reddit-services/tsconfig.json`).
 *
 * Starts dev-consul, N instances of each service and the gateway as real processes, then
 *   1. normal load: U simulated users with a realistic mix for D seconds;
 *   2. excessive load: many more users without think time, beyond what the machine can serve;
 *   3. bogus data: thousands of malformed requests;
 * and checks the stored data: every acknowledged vote, post and message is stored, counts match
 * the vote rows, the data is intact (SQLite `PRAGMA integrity_check`, PostgreSQL amcheck). Prints the
 * numbers; exits 1 when a check fails.
 *
 * Options: --instances 3 --users 100 --duration 30 --overload-users 1000 --overload-duration 15 --bogus 5000
 *          --database sqlite|postgres (default sqlite; postgres uses REDDIT_TEST_POSTGRES_URL, else starts
 *          a throwaway local cluster)
 */
import { startDevConsul } from 'dev-consul';
import { parseCommandLine, readChoice, readNumber } from 'cli-kit';
import { startCluster } from './lib/cluster.js';
import { createStorage } from './lib/storage.js';
import type { Engine, Storage } from './lib/storage.js';
import { withPostgresAdmin } from './lib/postgres-admin.js';
import { formatReport, runLoad } from './lib/load.js';
import type { LoadReport } from './lib/load.js';
import { bogusRequests, sendBogus } from './lib/bogus.js';
import { missingIds, verifyVotes } from './lib/verify.js';

const USAGE = `Usage: npx tsx packages/reddit-services/scripts/system-test.ts [options]
       (build first: npx tsc -p packages/reddit-services/tsconfig.json)

The full-length system test: dev-consul, N instances of each service and the gateway as real processes,
under normal load, overload and bogus requests; then every acknowledged write is checked in the stored
data (SQLite files or PostgreSQL schemas). Exit 1 when a check fails.

Options (numbers):
  --instances N           instances of each service (default 3)
  --users N               simulated users under normal load (default 100)
  --duration S            seconds of normal load (default 30)
  --overload-users N      users without think time (default 1000)
  --overload-duration S   seconds of overload (default 15)
  --bogus N               malformed requests (default 5000)
  --database ENGINE       sqlite (default) or postgres (REDDIT_TEST_POSTGRES_URL, else a server started for the run)
  -h, --help              show this help
`;
const STRING = { type: 'string' } as const;
const flags = parseCommandLine({
  program: 'system-test',
  usage: USAGE,
  options: { instances: STRING, users: STRING, duration: STRING, 'overload-users': STRING, 'overload-duration': STRING, bogus: STRING, database: STRING },
}, ({ values }) => {
  const option = (name: 'instances' | 'users' | 'duration' | 'overload-users' | 'overload-duration' | 'bogus', fallback: number): number =>
    readNumber(`--${name}`, values[name], { default: fallback, min: 0 });
  return {
    instances: option('instances', 3),
    users: option('users', 100),
    durationS: option('duration', 30),
    overloadUsers: option('overload-users', 1000),
    overloadS: option('overload-duration', 15),
    bogusCount: option('bogus', 5000),
    engine: readChoice<Engine>('--database', values.database, ['sqlite', 'postgres'], 'sqlite'),
  };
});
const { instances, users, durationS, overloadUsers, overloadS, bogusCount, engine } = flags;

const failures: string[] = [];
function check(condition: boolean, message: string): void {
  if (!condition) failures.push(message);
}

async function verifyWrites(storage: Storage, label: string, report: LoadReport): Promise<void> {
  const votes = await verifyVotes(storage, report.acknowledgedVotes);
  const posts = await missingIds(storage, 'posts', report.createdPosts);
  const messages = await missingIds(storage, 'messages', report.sentMessages);
  process.stdout.write(
    `  stored: ${votes.acknowledged - votes.missing.length}/${votes.acknowledged} votes, ` +
      `${report.createdPosts.length - posts.length}/${report.createdPosts.length} posts, ` +
      `${report.sentMessages.length - messages.length}/${report.sentMessages.length} messages; ` +
      `count mismatches ${votes.tallyMismatches.length}; integrity ${votes.integrity}\n`,
  );
  check(votes.missing.length === 0 && votes.wrongDirection.length === 0, `${label}: acknowledged votes missing or changed`);
  check(votes.tallyMismatches.length === 0, `${label}: vote counts do not match vote rows`);
  check(votes.integrity === 'ok', `${label}: integrity_check ${votes.integrity}`);
  check(posts.length === 0, `${label}: ${posts.length} acknowledged posts missing`);
  check(messages.length === 0, `${label}: ${messages.length} acknowledged messages missing`);
}

async function main(adminUrl: string | undefined): Promise<void> {
  const storage = await createStorage(engine, adminUrl);
  const consul = await startDevConsul({ port: 0, logLevel: 'warn' });
  process.stdout.write(`dev-consul at ${consul.url}; data on ${engine}: ${storage.databaseUrl ?? storage.dataDir}\n`);
  const cluster = await startCluster({
    consulUrl: consul.url,
    dataDir: storage.dataDir,
    env: storage.env,
    counts: { posts: instances, votes: instances, users: instances, messages: instances },
  });
  process.stdout.write(`${cluster.instances.length} instances + gateway at ${cluster.gateway.url}\n\n`);
  try {
    const normal = await runLoad({ gatewayUrl: cluster.gateway.url, users, durationMs: durationS * 1000, prefix: 'n_', thinkMs: 20 });
    process.stdout.write(`${formatReport(`1. normal load: ${users} users, ${durationS} s, ${instances} instances per service`, normal)}\n`);
    await verifyWrites(storage, 'normal load', normal);
    check(normal.serverErrors === 0, `normal load: ${normal.serverErrors} 5xx`);
    check(normal.networkErrors === 0, `normal load: ${normal.networkErrors} requests without an answer`);

    if (overloadUsers > 0 && overloadS > 0) {
      const overload = await runLoad({ gatewayUrl: cluster.gateway.url, users: overloadUsers, durationMs: overloadS * 1000, prefix: 'o_', thinkMs: 0, requestTimeoutMs: 15_000 });
      process.stdout.write(`\n${formatReport(`2. excessive load: ${overloadUsers} users, no think time, ${overloadS} s`, overload)}\n`);
      await verifyWrites(storage, 'excessive load', overload);
      for (const instance of [...cluster.instances, cluster.gateway]) {
        check(instance.child.exitCode === null && instance.child.signalCode === null, `${instance.id} died during the excessive load`);
      }
    }

    const bogus = await sendBogus(cluster.gateway.url, bogusRequests(bogusCount, Date.now() % 100_000), 50);
    process.stdout.write(`\n3. bogus data: ${bogus.sent} malformed requests: statuses ${JSON.stringify(bogus.statuses)}, no answer ${bogus.networkErrors}\n`);
    check(bogus.serverErrors.length === 0, `bogus: ${bogus.serverErrors.length} 5xx, e.g. ${JSON.stringify(bogus.serverErrors.slice(0, 3))}`);
    check(bogus.networkErrors === 0, `bogus: ${bogus.networkErrors} requests without an answer`);
    for (const instance of [...cluster.instances, cluster.gateway]) {
      const health = await fetch(`${instance.url}/health`).then((response) => response.status, () => 0);
      check(health === 200, `${instance.id} does not answer /health after the run (${health})`);
    }
  } finally {
    await cluster.stop();
    await consul.close();
    await storage.remove();
  }
  if (failures.length > 0) {
    process.stdout.write(`\nFAILED:\n${failures.map((failure) => `  - ${failure}`).join('\n')}\n`);
    process.exit(1);
  }
  process.stdout.write('\nall checks passed: nothing lost, nothing corrupted, no 5xx outside the excessive load\n');
}

withPostgresAdmin(engine, main).catch((error: unknown) => {
  process.stderr.write(`system test failed to run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
