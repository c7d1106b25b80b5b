/**
 * Typing indicators, both ways, without sockets or DOM: who else is typing (each indicator
 * expires on its own, so a `typing: false` lost in a move cannot leave "typing…" on forever),
 * and when the agent's own typing should be said (throttled) or unsaid (after a quiet spell).
 * The owner emits what these decide.
 */
import { Subject, Subscription, asyncScheduler, type Observable, type SchedulerLike } from 'rxjs';

export interface TypingTrackerOptions {
  /** an indicator with no news for this long goes away (default 6000 ms) */
  expireMs?: number;
  scheduler?: SchedulerLike;
}

/** The other participants' typing indicators. */
export class TypingTracker {
  readonly #expireMs: number;
  readonly #scheduler: SchedulerLike;
  readonly #until = new Map<string, Subscription>();
  readonly #expiredSubject = new Subject<string>();

  /** the id of a participant whose indicator just expired (the owner republishes) */
  readonly expired$: Observable<string> = this.#expiredSubject.asObservable();

  constructor(o: TypingTrackerOptions = {}) {
    this.#expireMs = o.expireMs ?? 6000;
    this.#scheduler = o.scheduler ?? asyncScheduler;
  }

  /** ids of those typing, in the order they started */
  get ids(): readonly string[] {
    return [...this.#until.keys()];
  }

  /** Returns true when the set of typing participants changed. */
  update(from: string, typing: boolean): boolean {
    const had = this.#until.has(from);
    this.#until.get(from)?.unsubscribe();
    if (!typing) {
      this.#until.delete(from);
      return had;
    }
    this.#until.set(
      from,
      this.#scheduler.schedule(() => {
        this.#until.delete(from);
        this.#expiredSubject.next(from);
      }, this.#expireMs),
    );
    return true;
  }

  /** Only these may still be typing (the others left). Returns true on a change. */
  keepOnly(present: (id: string) => boolean): boolean {
    let changed = false;
    for (const id of [...this.#until.keys()]) if (!present(id)) changed = this.update(id, false);
    return changed;
  }

  clear(): void {
    for (const t of this.#until.values()) t.unsubscribe();
    this.#until.clear();
  }

  dispose(): void {
    this.clear();
    this.#expiredSubject.complete();
  }
}

export interface TypingThrottleOptions {
  /** at most one `typing: true` per this many ms (default 2000) */
  throttleMs?: number;
  /** `typing: false` after this much quiet (default 3000) */
  idleMs?: number;
  scheduler?: SchedulerLike;
}

/** The agent's own typing: when to say `typing: true` and when `typing: false`. */
export class TypingThrottle {
  readonly #throttleMs: number;
  readonly #idleMs: number;
  readonly #scheduler: SchedulerLike;
  #sentAt: number | undefined;
  #idle: Subscription | null = null;
  readonly #idleSubject = new Subject<void>();

  /** the agent stopped typing for `idleMs`: say `typing: false` now */
  readonly idle$: Observable<void> = this.#idleSubject.asObservable();

  constructor(o: TypingThrottleOptions = {}) {
    this.#throttleMs = o.throttleMs ?? 2000;
    this.#idleMs = o.idleMs ?? 3000;
    this.#scheduler = o.scheduler ?? asyncScheduler;
  }

  /** The agent typed. Returns true when `typing: true` should be said now. */
  input(): boolean {
    const now = this.#scheduler.now();
    const say = this.#sentAt === undefined || now - this.#sentAt >= this.#throttleMs;
    if (say) this.#sentAt = now;
    this.#idle?.unsubscribe();
    this.#idle = this.#scheduler.schedule(() => {
      this.#idle = null;
      if (this.stop()) this.#idleSubject.next();
    }, this.#idleMs);
    return say;
  }

  /** The agent stopped (sent, or went quiet). Returns true when `typing: false` should be said. */
  stop(): boolean {
    this.#idle?.unsubscribe();
    this.#idle = null;
    if (this.#sentAt === undefined) return false;
    this.#sentAt = undefined;
    return true;
  }

  dispose(): void {
    this.#idle?.unsubscribe();
    this.#idle = null;
    this.#idleSubject.complete();
  }
}
