/**
 * The tasks a worker holds, by sequence number. Sequence numbers are handed out in order and
 * mostly finish in order, so a ring indexed by `seq & mask` replaces a `Map`: no hashing and no
 * entry objects to collect on the hot path. The ring grows when the span between the oldest
 * unfinished task and the newest reaches its size.
 * @internal
 * @module
 */
export class InflightRing<T extends { seq: number }> {
  #ring: (T | undefined)[] = new Array(64);
  #mask = 63;
  #size = 0;
  /** No task with a smaller seq is held. */
  #low = 0;
  /** One past the highest seq ever set. */
  #high = 0;

  get size(): number {
    return this.#size;
  }

  get(seq: number): T | undefined {
    const t = this.#ring[seq & this.#mask];
    return t !== undefined && t.seq === seq ? t : undefined;
  }

  /** Adds `task` under `task.seq`, which must be higher than any seq set before. */
  add(task: T): void {
    const seq = task.seq;
    if (this.#size === 0) this.#low = seq;
    if (seq - this.#low >= this.#ring.length) this.#grow(seq - this.#low + 1);
    this.#ring[seq & this.#mask] = task;
    this.#high = seq + 1;
    this.#size++;
  }

  delete(seq: number): boolean {
    const i = seq & this.#mask;
    const t = this.#ring[i];
    if (t === undefined || t.seq !== seq) return false;
    this.#ring[i] = undefined;
    this.#size--;
    if (seq === this.#low) {
      if (this.#size === 0) this.#low = this.#high;
      else while (this.#ring[this.#low & this.#mask] === undefined) this.#low++;
    }
    return true;
  }

  clear(): void {
    this.#ring.fill(undefined);
    this.#size = 0;
    this.#low = this.#high;
  }

  /** The held tasks in seq order (a copy: the ring may change while the caller walks it). */
  tasks(): T[] {
    const out: T[] = [];
    for (let seq = this.#low; seq < this.#high && out.length < this.#size; seq++) {
      const t = this.#ring[seq & this.#mask];
      if (t !== undefined && t.seq === seq) out.push(t);
    }
    return out;
  }

  #grow(span: number): void {
    let size = this.#ring.length * 2;
    while (size < span) size *= 2;
    const ring = new Array<T | undefined>(size);
    const mask = size - 1;
    for (const t of this.tasks()) ring[t.seq & mask] = t;
    this.#ring = ring;
    this.#mask = mask;
  }
}
