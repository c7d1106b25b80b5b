/**
 * Who owns a record of held messages (see `outbox-store.ts`) when two panels of one tab show the
 * same agent's interaction (two gadgets, a framework rendering it twice). Only the owner resends
 * what the record holds after a start, so a message is never sent by both; each panel still sends
 * what is typed into it. Decided with a Web Lock named after the tab and the record: the lock is
 * let go when the owner is disposed (or its frame goes away), and the next panel in line takes
 * over the record. Without Web Locks every panel is its own owner (the server still
 * de-duplicates by clientMsgId; only the display could show a message pending twice).
 */

interface LockManagerLike {
  request(
    name: string,
    options: { ifAvailable?: boolean; signal?: AbortSignal },
    callback: (lock: unknown) => Promise<void> | undefined,
  ): Promise<unknown>;
}

export class OutboxOwner {
  /** whether this panel owns the record now */
  owner = false;
  /** settles once it is known whether the record was free at once */
  readonly first: Promise<boolean>;
  readonly #abort = new AbortController();
  #releaseLock: (() => void) | null = null;
  #disposed = false;

  /** `onOwner` runs when ownership arrives later (the previous owner left). */
  constructor(
    readonly name: string,
    private readonly onOwner: () => void,
  ) {
    const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
    if (!locks) {
      this.owner = true;
      this.first = Promise.resolve(true);
      return;
    }
    this.first = new Promise<boolean>((resolve) => {
      locks
        .request(name, { ifAvailable: true }, (lock) => {
          if (!lock || this.#disposed) {
            resolve(false);
            return undefined;
          }
          resolve(true);
          return this.#hold();
        })
        .catch(() => resolve(false));
    }).then((got) => {
      if (!got && !this.#disposed) this.#waitInLine(locks);
      return got;
    });
  }

  dispose(): void {
    this.#disposed = true;
    this.owner = false;
    this.#abort.abort();
    this.#releaseLock?.();
    this.#releaseLock = null;
  }

  #hold(): Promise<void> {
    this.owner = true;
    return new Promise<void>((resolve) => (this.#releaseLock = resolve));
  }

  #waitInLine(locks: LockManagerLike): void {
    locks
      .request(this.name, { signal: this.#abort.signal }, () => {
        if (this.#disposed) return undefined;
        const held = this.#hold();
        this.onOwner();
        return held;
      })
      .catch(() => {
        // aborted on dispose
      });
  }
}
