import { fileURLToPath } from 'node:url';

/** How to start one instance of a service this repository ships. */
export interface ServiceDefinition {
  name: string;
  /** `node <args>` for instance number `n`. */
  args(n: number): string[];
  /** Environment of instance `n` (on top of this process's, VERSION and COLOR). */
  env(n: number): Record<string, string>;
  /** A GET path every version answers with JSON carrying `version`. */
  path: string;
}

/** The repository's root, ending in `/`. */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

const reddit = (name: string): ServiceDefinition => ({
  name,
  args: () => [`${REPO}packages/reddit-services/dist/main.js`, name],
  // free ports: instances find each other through Consul
  env: (n) => ({ INSTANCE_ID: `${name}-${n}`, PORT: process.env.PORT === undefined ? '0' : process.env.PORT }),
  path: '/health',
});

/** ratings and the four reddit services. */
export const SERVICES: Readonly<Record<string, ServiceDefinition>> = Object.freeze({
  ratings: {
    name: 'ratings',
    args: (n) => [`${REPO}packages/ratings/dist/main.js`, '--instance', String(n)],
    env: () => ({}),
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
