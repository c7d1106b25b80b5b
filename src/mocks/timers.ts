/**
 * Every timer the mocked cluster starts goes through one `Timers`, so `stop()` can clear them
 * all: a stopped mock must not keep firing into the next test.
 */
export class Timers {
  readonly #timeouts = new Set<ReturnType<typeof setTimeout>>();
  readonly #intervals = new Set<ReturnType<typeof setInterval>>();
  #stopped = false;

  timeout(fn: () => void, ms: number): ReturnType<typeof setTimeout> | undefined {
    if (this.#stopped) return undefined;
    const handle = setTimeout(() => {
      this.#timeouts.delete(handle);
      fn();
    }, ms);
    this.#timeouts.add(handle);
    return handle;
  }

  interval(fn: () => void, ms: number): ReturnType<typeof setInterval> | undefined {
    if (this.#stopped) return undefined;
    const handle = setInterval(fn, ms);
    this.#intervals.add(handle);
    return handle;
  }

  clear(handle: ReturnType<typeof setTimeout> | undefined): void {
    if (handle === undefined) return;
    clearTimeout(handle);
    clearInterval(handle);
    this.#timeouts.delete(handle);
    this.#intervals.delete(handle);
  }

  /** Clears everything and refuses new timers. */
  stop(): void {
    this.#stopped = true;
    for (const h of this.#timeouts) clearTimeout(h);
    for (const h of this.#intervals) clearInterval(h);
    this.#timeouts.clear();
    this.#intervals.clear();
  }

  get pending(): number {
    return this.#timeouts.size + this.#intervals.size;
  }
}
