// `make watchRatings`: the console client. Calls a service through discovery-client once a second (its active
// color, if one is set) and prints the version and one field of each answer:
//   Version: 1.0  rating: 4  (ratings-2)
//   Version: 2.0  votes: 3  (ratings-5)
//   node packages/deploy/dist/watch.js [--service ratings] [--path /ratings/camera] [--interval 1s]
import { parseCommandLine, readOption } from 'cli-kit';
import { DiscoveryClient, parseDuration } from 'discovery-client';
import { defaultPath } from './services.js';

const USAGE = 'usage: node packages/deploy/dist/watch.js [--service ratings] [--path PATH] [--interval 1s]   (make watchRatings)';

const { service, path, intervalMs } = parseCommandLine({
  program: 'watch',
  usage: USAGE,
  options: { service: { type: 'string', default: 'ratings' }, path: { type: 'string' }, interval: { type: 'string' } },
}, ({ values }) => ({
  service: values.service,
  path: values.path ?? defaultPath(values.service),
  intervalMs: readOption('--interval', values.interval, '1s', (v) => parseDuration('--interval', v), 'a duration such as 500ms or 1s'),
}));

/** The one field worth showing: `votes` (version 2.0 of ratings), else `rating`, else the first other field. */
function field(body: Record<string, unknown>): string {
  const key = ['votes', 'rating'].find((k) => k in body) ?? Object.keys(body).find((k) => k !== 'version');
  return key === undefined ? '' : `${key}: ${JSON.stringify(body[key])}`;
}

const discovery = new DiscoveryClient({ logPicks: false });
const client = discovery.service(service, { color: 'active', timeout: 1000, deadline: Math.max(1500, intervalMs - 50) });
console.log(`calling ${service}${path} every ${intervalMs / 1000} s (^C stops)`);
const timer = setInterval(async () => {
  try {
    const res = await client.get(path);
    const body = JSON.parse(res.body) as Record<string, unknown>;
    console.log(`Version: ${String(body.version ?? '?')}  ${field(body)}  (${res.instance?.id ?? '?'})`);
  } catch (error) {
    console.log(`FAILED: ${(error as Error).message}`);
  }
}, intervalMs);
process.once('SIGINT', () => {
  clearInterval(timer);
  void discovery.close().then(() => process.exit(0));
});
