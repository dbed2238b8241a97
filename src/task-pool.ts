// At most N tasks in flight: how the tenant sync keeps ADH below its rate limit while
// still overlapping thousands of 20 ms calls. A plain FIFO semaphore, no package needed.

export class TaskPool {
  private active = 0;
  private peak = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error("limit must be a whole number ≥ 1");
  }

  /** Runs `task` once a slot is free; resolves or rejects with it. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    this.peak = Math.max(this.peak, this.active);
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter (active stays the same), or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  /** Most tasks that were ever in flight at once. */
  get maxInFlight(): number {
    return this.peak;
  }
}
