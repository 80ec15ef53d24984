/** A counting semaphore with FIFO waiters: limits concurrent trainings in one worker process. */
export class Semaphore {
  private readonly waiters: Array<() => void> = [];
  private inUse = 0;

  /** `onChange` hears every change of the running and waiting counts (the worker's slot gauges). */
  constructor(
    readonly capacity: number,
    private readonly onChange: (state: { running: number; waiting: number }) => void = () => {},
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new Error(`capacity must be a positive integer, got ${capacity}`);
  }

  get running(): number {
    return this.inUse;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * Resolves with a release function once a slot is free. If `signal` aborts first, the waiter leaves
   * the queue and the promise rejects with the abort reason.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    const release = () => {
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const next = this.waiters.shift();
        if (next) next();
        else this.inUse -= 1;
        this.changed();
      };
    };
    if (this.inUse < this.capacity) {
      this.inUse += 1;
      this.changed();
      return Promise.resolve(release());
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(release());
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(grant);
        if (i >= 0) this.waiters.splice(i, 1);
        this.changed();
        reject(signal?.reason);
      };
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(grant);
      this.changed();
    });
  }

  private changed() {
    this.onChange({ running: this.inUse, waiting: this.waiters.length });
  }
}
