export { startProcess, DEFAULT_STOP_TIMEOUT_MS, DEFAULT_LINE_TIMEOUT_MS } from './managed-process.js';
export type { ChildExit, ManagedProcess, ProcessOptions } from './managed-process.js';
export type { LineListener, OutputStream } from './process-output.js';
export { LISTENING_ON_PORT, listeningPort } from './listening-port.js';
export { onExit, stopAll, stopAllOnSignals } from './running-processes.js';
export { Supervisor, FORCE_AFTER_MS } from './supervisor.js';
export type { StartOptions, SupervisedChild, SupervisorOptions } from './supervisor.js';
export { startDetached } from './detached.js';
export type { DetachedOptions } from './detached.js';
