/**
 * The raft-like index shared by every table (catalog and KV), as in Consul where one raft log orders
 * every write. It only moves when a write really changes something, so `X-Consul-Index` means "a change".
 */
export class IndexCounter {
  private value: number;

  constructor(start = 1) {
    this.value = start;
  }

  /** The latest index handed out. */
  get current(): number {
    return this.value;
  }

  /** Allocates the index of a new write. */
  next(): number {
    this.value += 1;
    return this.value;
  }
}
