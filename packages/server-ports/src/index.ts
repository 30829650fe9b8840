export { listen } from './listen.js';
export type { ListenOptions, ListeningServer } from './listen.js';
export { freePort } from './free-port.js';
