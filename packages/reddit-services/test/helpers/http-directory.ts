import type { DirectoryClient } from '../../src/shared/service-directory.js';

/** A directory client over plain HTTP to one app whose URL may change (production uses the discovery client). */
export function httpDirectoryClient(baseUrl: () => string): DirectoryClient {
  return {
    async request({ method, path }) {
      const response = await fetch(`${baseUrl()}${path}`, { method });
      return { statusCode: response.status, body: await response.text() };
    },
  };
}
