export { Supervisor, DEFAULT_STOP_TIMEOUT_MS, FORCE_AFTER_MS } from './supervisor.js';
export type { ChildExit, StartOptions, SupervisedChild, SupervisorOptions } from './supervisor.js';
export { startDetached } from './detached.js';
export type { DetachedOptions } from './detached.js';
