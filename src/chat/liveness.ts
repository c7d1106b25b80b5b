/**
 * The liveness invariant's bookkeeping, without sockets: whether the instance we are connected
 * to still serves the session, when to look again where it is, and when an outage has lasted
 * long enough to say so (once). The owner performs the re-reads and reports.
 *
 * - `notServing()` (a `relocated` / `draining` notice, a send or join refused as
 *   `session-not-found`): the panel is stranded; `recheck$` fires at once and then every
 *   `recheckMs` (doubling, at most 8x) until `serving()` (a join succeeded).
 * - `links(up)`: both sockets connected or not.
 * - stranded or a link down for `unreachableMs` without a break: `unreachable$` fires once;
 *   it fires again only after service came back and was lost again.
 */
import { Subject, Subscription, asyncScheduler, type Observable, type SchedulerLike } from 'rxjs';

export interface LivenessOptions {
  /** first re-read after the first one (default 1000 ms) */
  recheckMs?: number;
  /** an outage this long raises one `unreachable` (default 10000 ms) */
  unreachableMs?: number;
  scheduler?: SchedulerLike;
}

export const unreachableDefaultMs = 10_000;

export class Liveness {
  readonly #recheckMs: number;
  readonly #unreachableMs: number;
  readonly #scheduler: SchedulerLike;
  #strandedWhy: string | null = null;
  #linksUp = false;
  #linkDown = 'not connected yet';
  #recheckTimer: Subscription | null = null;
  #outageTimer: Subscription | null = null;
  readonly #recheckSubject = new Subject<void>();
  readonly #unreachableSubject = new Subject<string>();
  #ended = false;

  /** look again where the session is (a fresh watch) and whether this instance serves it */
  readonly recheck$: Observable<void> = this.#recheckSubject.asObservable();
  /** an outage lasted `unreachableMs`: what is down */
  readonly unreachable$: Observable<string> = this.#unreachableSubject.asObservable();

  constructor(o: LivenessOptions = {}) {
    this.#recheckMs = o.recheckMs ?? 1000;
    this.#unreachableMs = o.unreachableMs ?? unreachableDefaultMs;
    this.#scheduler = o.scheduler ?? asyncScheduler;
  }

  get stranded(): boolean {
    return this.#strandedWhy !== null;
  }

  /** The current instance says it does not serve the session. True when newly stranded. */
  notServing(why: string): boolean {
    if (this.#ended || this.#strandedWhy !== null) return false;
    this.#strandedWhy = why;
    this.#recheckSubject.next();
    this.#scheduleRecheck(0);
    this.#updateOutage();
    return true;
  }

  /** A join succeeded: served again. True when this ends a stranding. */
  serving(): boolean {
    if (this.#strandedWhy === null) return false;
    this.#strandedWhy = null;
    this.#recheckTimer?.unsubscribe();
    this.#recheckTimer = null;
    this.#updateOutage();
    return true;
  }

  /** Whether every socket is connected; `what` names the one that is not. */
  links(up: boolean, what = ''): void {
    this.#linksUp = up;
    if (!up) this.#linkDown = what;
    this.#updateOutage();
  }

  dispose(): void {
    this.#ended = true;
    this.#recheckTimer?.unsubscribe();
    this.#outageTimer?.unsubscribe();
    this.#recheckTimer = null;
    this.#outageTimer = null;
    this.#recheckSubject.complete();
    this.#unreachableSubject.complete();
  }

  #scheduleRecheck(n: number): void {
    this.#recheckTimer = this.#scheduler.schedule(
      () => {
        if (this.#strandedWhy === null || this.#ended) return;
        this.#recheckSubject.next();
        this.#scheduleRecheck(n + 1);
      },
      this.#recheckMs * Math.min(8, 2 ** n),
    );
  }

  #updateOutage(): void {
    if (this.#ended) return;
    const healthy = this.#linksUp && this.#strandedWhy === null;
    if (healthy) {
      this.#outageTimer?.unsubscribe();
      this.#outageTimer = null;
      return;
    }
    // an outage already being timed (or already reported) keeps its clock
    if (this.#outageTimer) return;
    this.#outageTimer = this.#scheduler.schedule(() => {
      if (this.#ended) return;
      const what =
        this.#strandedWhy !== null
          ? `no chat instance has served the session (${this.#strandedWhy})`
          : this.#linkDown;
      this.#unreachableSubject.next(
        `${what} for ${Math.round(this.#unreachableMs / 1000)} s; still retrying`,
      );
    }, this.#unreachableMs);
  }
}
