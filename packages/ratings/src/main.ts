// One ratings instance: `node dist/main.js --instance N` (port 8000+N unless PORT is set).
import { ConfigError, parseInstanceArgs } from './config.js';
import { createLog } from './log.js';
import { messageOf, runInstanceUntilSignalled } from './run.js';

const log = createLog();
let instance: number;
try {
  instance = parseInstanceArgs(process.argv.slice(2));
} catch (error) {
  log.error(`${messageOf(error)}\nusage: node dist/main.js [--instance N]   (PORT, VERSION, RATINGS_TTL, RATINGS_HEARTBEAT, CONSUL_HTTP_ADDR)`);
  process.exit(2);
}
try {
  await runInstanceUntilSignalled(instance, log);
} catch (error) {
  log.error(`ratings-${instance} could not start: ${messageOf(error)}`);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
