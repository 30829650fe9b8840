import { DiscoveryError } from './discovery-error.js';

/**
 * An opt-in feature needs an optional peer dependency that is not installed: metrics need `prom-client`
 * (when `metrics` is given), JSON logs need `pino` (`LOG_FORMAT=json` or `createJsonLogger()`). The
 * message says which package to install; `cause` is the loader's `MODULE_NOT_FOUND` error.
 */
export class MissingPeerDependencyError extends DiscoveryError {
  readonly code = 'ERR_MISSING_PEER_DEPENDENCY';
  readonly retryable = false;
  /** The npm package to install, e.g. `prom-client`. */
  readonly packageName: string;
  /** What asked for it, e.g. `metrics`. */
  readonly feature: string;

  constructor(packageName: string, feature: string, options?: { cause?: unknown }) {
    super(`${feature} need the optional peer dependency ${packageName}, which is not installed: npm install ${packageName}`, options);
    this.packageName = packageName;
    this.feature = feature;
  }
}

export function isMissingPeerDependencyError(error: unknown): error is MissingPeerDependencyError {
  return error instanceof MissingPeerDependencyError;
}
