import { fileURLToPath } from 'node:url';

/** How to start one instance of a service this repository ships. */
export interface ServiceDefinition {
  name: string;
  /** `node <args>` for instance number `n`. */
  args(n: number): string[];
  /** Environment of instance `n` (on top of this process's, VERSION and COLOR); `undefined` removes a variable. */
  env(n: number): Record<string, string | undefined>;
  /** A GET path every version answers with JSON carrying `version`. */
  path: string;
}

/** The repository's root, ending in `/`. */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** The reddit launcher's port layout: instance n of the service at `index` on `PORT + 100 × index + n − 1`. */
const REDDIT_ORDER = ['users', 'posts', 'votes', 'messages'];

const reddit = (name: string): ServiceDefinition => ({
  name,
  args: () => [`${REPO}packages/reddit-services/dist/main.js`, name],
  // with PORT (the first service port, as in the runbooks) the launcher's layout, else a free port
  env: (n) => {
    const first = Number(process.env.PORT || 0);
    return { INSTANCE_ID: `${name}-${n}`, PORT: String(first === 0 ? 0 : first + 100 * REDDIT_ORDER.indexOf(name) + n - 1) };
  },
  path: '/health',
});

/** ratings and the four reddit services. */
export const SERVICES: Readonly<Record<string, ServiceDefinition>> = Object.freeze({
  ratings: {
    name: 'ratings',
    args: (n) => [`${REPO}packages/ratings/dist/main.js`, '--instance', String(n)],
    // instance n listens on 8000 + n; a PORT exported for the reddit services (docs/runbooks) would give every
    // new instance the same port, so only PORT=0 (a free port each, as tests use) is passed on
    // no line per request (a roll under load would print one per call): the deploy's own progress lines
    // stay readable; RATINGS_LOG_REQUESTS=1 brings them back
    env: () => ({
      RATINGS_LOG_REQUESTS: process.env.RATINGS_LOG_REQUESTS || '0',
      ...(process.env.PORT && process.env.PORT !== '0' ? { PORT: undefined } : {}),
    }),
    path: '/ratings/camera',
  },
  posts: reddit('posts'),
  votes: reddit('votes'),
  users: reddit('users'),
  messages: reddit('messages'),
});

/** The definition of `name`, or an error naming the services there are. */
export function serviceDefinition(name: string): ServiceDefinition {
  const found = Object.hasOwn(SERVICES, name) ? SERVICES[name] : undefined;
  if (!found) throw new Error(`unknown service "${name}": one of ${Object.keys(SERVICES).join(', ')}`);
  return found;
}

/** The default request path of the load and console clients for `service`. */
export function defaultPath(service: string): string {
  return Object.hasOwn(SERVICES, service) ? SERVICES[service]!.path : '/';
}
