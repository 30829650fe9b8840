import { NoHealthyInstancesError } from './no-healthy-instances-error.js';

/**
 * The service has passing instances but none matches the view's `tags`/`meta`/`color` filter. A
 * {@link NoHealthyInstancesError} (same `code`) whose message says why: `all inventory instances are down: none
 * of the 2 passing inventory instances matches tags [v2]`. Not `retryable`.
 */
export class NoMatchingInstancesError extends NoHealthyInstancesError {
  /** The filter that matched none. */
  readonly filter: {
    readonly tags?: readonly string[] | undefined;
    readonly meta?: Readonly<Record<string, string>> | undefined;
    readonly color?: string | undefined;
  };
  /** Passing instances of the service (all filtered out). */
  readonly instances: number;

  constructor(service: string, filter: NoMatchingInstancesError['filter'], instances: number) {
    const parts: string[] = [];
    if (filter.tags?.length) parts.push(`tags [${filter.tags.join(', ')}]`);
    if (filter.meta && Object.keys(filter.meta).length > 0) parts.push(`meta ${JSON.stringify(filter.meta)}`);
    if (filter.color !== undefined) parts.push(`color ${filter.color}`);
    super(service);
    this.message = `${this.message}: none of the ${instances} passing ${service} instance${instances === 1 ? '' : 's'} matches ${parts.join(' and ') || 'the filter'}`;
    this.filter = filter;
    this.instances = instances;
  }
}

export function isNoMatchingInstancesError(error: unknown): error is NoMatchingInstancesError {
  return error instanceof NoMatchingInstancesError;
}
