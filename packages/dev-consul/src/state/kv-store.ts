/**
 * The key/value store (`/v1/kv/`): entries with Consul's indexes, check-and-set, and tombstones so a
 * blocking list query on a prefix notices deletions.
 */
import type { IndexCounter } from './index-counter.js';

/** A stored entry (`structs.DirEntry`). */
export interface KvEntry {
  key: string;
  flags: number;
  value: Buffer | null;
  lockIndex: number;
  createIndex: number;
  modifyIndex: number;
}

export class KvStore {
  private readonly entries = new Map<string, KvEntry>();
  private readonly tombstones = new Map<string, number>();
  private tableIndex = 0;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly counter: IndexCounter) {}

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(key: string): KvEntry | undefined {
    return this.entries.get(key);
  }

  /** Entries whose key starts with `prefix`, sorted by key. */
  list(prefix: string): KvEntry[] {
    const out: KvEntry[] = [];
    for (const e of this.entries.values()) if (e.key.startsWith(prefix)) out.push(e);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Index for a single-key read: the entry's ModifyIndex, else the table's. */
  indexForKey(key: string): number {
    return this.entries.get(key)?.modifyIndex ?? this.maxTableIndex();
  }

  /** Index for a prefix read: newest entry or tombstone under the prefix, else the table's. */
  indexForPrefix(prefix: string): number {
    let max = 0;
    for (const e of this.entries.values()) if (e.key.startsWith(prefix) && e.modifyIndex > max) max = e.modifyIndex;
    for (const [k, idx] of this.tombstones) if (k.startsWith(prefix) && idx > max) max = idx;
    return max > 0 ? max : this.maxTableIndex();
  }

  /**
   * Sets a key. With `cas` defined, only when the entry's ModifyIndex equals it (0: only if absent).
   * Returns false when the check-and-set failed.
   */
  put(key: string, value: Buffer, flags: number, cas: number | undefined): boolean {
    const existing = this.entries.get(key);
    if (cas !== undefined) {
      if (cas === 0 && existing !== undefined) return false;
      if (cas !== 0 && existing?.modifyIndex !== cas) return false;
    }
    const index = this.counter.next();
    this.entries.set(key, {
      key,
      flags,
      value: value.length === 0 ? null : value,
      lockIndex: existing?.lockIndex ?? 0,
      createIndex: existing?.createIndex ?? index,
      modifyIndex: index,
    });
    this.tombstones.delete(key);
    this.commit(index);
    return true;
  }

  /** Deletes a key (or a whole prefix). With `cas`, only if the ModifyIndex matches. */
  delete(key: string, recurse: boolean, cas: number | undefined): boolean {
    if (cas !== undefined && !recurse) {
      const existing = this.entries.get(key);
      if (existing === undefined) return true; // kvsDeleteCASTxn: nothing to delete counts as done
      if (existing.modifyIndex !== cas) return false;
    }
    const doomed = recurse ? this.list(key) : [this.entries.get(key)].filter((e): e is KvEntry => e !== undefined);
    if (doomed.length === 0) return true;
    const index = this.counter.next();
    for (const e of doomed) {
      this.entries.delete(e.key);
      this.tombstones.set(e.key, index);
    }
    this.commit(index);
    return true;
  }

  private maxTableIndex(): number {
    return this.tableIndex;
  }

  private commit(index: number): void {
    this.tableIndex = index;
    for (const listener of this.listeners) listener();
  }
}
