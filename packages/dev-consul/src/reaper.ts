/**
 * The critical-service reaper (Consul's `reapServices`): every `interval`, a service whose check has
 * been critical longer than its `DeregisterCriticalServiceAfter` is deregistered with all its checks.
 */
import type { Catalog } from './state/catalog.js';

/** A service to reap and the check that condemned it. */
export interface ReapCandidate {
  serviceId: string;
  checkId: string;
  criticalForMs: number;
}

/** Services whose checks have been critical too long at `now` (ms epoch). */
export function findReapable(catalog: Catalog, now: number): ReapCandidate[] {
  const out: ReapCandidate[] = [];
  const seen = new Set<string>();
  for (const check of catalog.allChecks()) {
    if (check.serviceId === '' || seen.has(check.serviceId)) continue;
    if (check.status !== 'critical' || check.criticalSince === undefined || check.deregisterCriticalAfterNs <= 0) continue;
    const criticalForMs = now - check.criticalSince;
    if (criticalForMs > check.deregisterCriticalAfterNs / 1e6) {
      seen.add(check.serviceId);
      out.push({ serviceId: check.serviceId, checkId: check.checkId, criticalForMs });
    }
  }
  return out;
}

/** Runs `reap` every `intervalMs` on an unref'd timer. */
export class Reaper {
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs: number, reap: () => void) {
    this.timer = setInterval(reap, Math.max(1, intervalMs));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
