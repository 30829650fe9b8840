import { createRequire } from 'node:module';
import { MissingPeerDependencyError } from './errors/missing-peer-dependency-error.js';

const requireFromHere = createRequire(import.meta.url);

/**
 * Loads an optional peer dependency (a CommonJS package: prom-client, pino) synchronously, from where the
 * library is installed, only when a feature asks for it. A package that is not installed is a
 * {@link MissingPeerDependencyError} naming it; any other loading error is rethrown as is.
 */
export function loadPeerDependency<T>(packageName: string, feature: string): T {
  try {
    return requireFromHere(packageName) as T;
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'MODULE_NOT_FOUND' && e.message.includes(`'${packageName}'`)) {
      throw new MissingPeerDependencyError(packageName, feature, { cause: error });
    }
    throw error;
  }
}
