/**
 * The chat transcript as the panel knows it: messages merged by seq and id (nothing twice,
 * always in seq order), how far it is complete (`afterSeq`), and when a hole in it has lasted
 * long enough to ask the server again (`repair$`). No sockets, no DOM: the owner feeds it join
 * pages and live messages and asks the server when `repair$` says so.
 */
import { Subject, asyncScheduler, type Observable, type SchedulerLike, Subscription } from 'rxjs';
import { Limits } from '../protocol/limits.js';
import type { ChatMessage } from '../protocol/wire.js';

export interface TranscriptOptions {
  /** the server's page size: a join answer this long may have more after it (default
   *  `Limits.maxTranscriptPage`) */
  pageSize?: number;
  /** a hole still open after this long is repaired by asking again (default 300 ms) */
  gapDelayMs?: number;
  scheduler?: SchedulerLike;
}

/** What one join answer (a page) looks like to the transcript. */
export interface TranscriptPage {
  readonly transcript: readonly ChatMessage[];
  readonly lastSeq: number;
}

export interface PageResult {
  /** messages new to the transcript, in seq order */
  readonly added: readonly ChatMessage[];
  /** the page was full and the server has more after it: ask again with `afterSeq` */
  readonly more: boolean;
}

export const gapDelayDefaultMs = 300;

export class Transcript {
  readonly #pageSize: number;
  readonly #gapDelayMs: number;
  readonly #scheduler: SchedulerLike;
  // sorted by seq, so a seq is found by binary search; the ids guard against the same message
  // under another seq
  readonly #list: ChatMessage[] = [];
  #view: readonly ChatMessage[] = [];
  readonly #ids = new Set<string>();
  /** every seq up to this one is here: the next join asks for what comes after */
  #contiguous: number | undefined;
  #gapTimer: Subscription | null = null;
  readonly #repairSubject = new Subject<number>();

  /** emits the `afterSeq` to re-join from when a hole did not fill by itself in time */
  readonly repair$: Observable<number> = this.#repairSubject.asObservable();

  constructor(o: TranscriptOptions = {}) {
    this.#pageSize = Math.max(1, o.pageSize ?? Limits.maxTranscriptPage);
    this.#gapDelayMs = o.gapDelayMs ?? gapDelayDefaultMs;
    this.#scheduler = o.scheduler ?? asyncScheduler;
  }

  /** ordered by seq, no duplicate seq or id; a new array only when something was added */
  get messages(): readonly ChatMessage[] {
    return this.#view;
  }

  /** the seq up to which nothing is missing (undefined before the first join) */
  get afterSeq(): number | undefined {
    return this.#contiguous;
  }

  has(seq: number): boolean {
    return this.#list[this.#insertionIndex(seq)]?.seq === seq;
  }

  /**
   * A join answer asked with `afterSeq`. It covers everything after `afterSeq` up to its last
   * message, or up to `lastSeq` when it is not a full page. `accept` filters messages of another
   * session out of the merge (they still count for the paging).
   */
  applyPage(
    page: TranscriptPage,
    afterSeq: number | undefined,
    accept: (m: ChatMessage) => boolean = () => true,
  ): PageResult {
    const added = this.#merge(page.transcript.filter(accept));
    const last = page.transcript[page.transcript.length - 1];
    const complete = page.transcript.length < this.#pageSize;
    const covered = complete ? page.lastSeq : (last?.seq ?? afterSeq ?? 0);
    if (this.#contiguous === undefined || covered > this.#contiguous) this.#contiguous = covered;
    this.#advance();
    return { added, more: !complete && last !== undefined && last.seq < page.lastSeq };
  }

  /** A live message: merged; a hole before it is repaired if it does not fill in time. */
  addLive(m: ChatMessage): readonly ChatMessage[] {
    const added = this.#merge([m]);
    if (added.length === 0) return added;
    this.#advance();
    if (this.#contiguous !== undefined && m.seq > this.#contiguous) this.#noteGap();
    return added;
  }

  /** The server says `seq` exists (e.g. a send's ack): if we never saw it, repair. */
  expect(seq: number): void {
    if (!this.has(seq)) this.#noteGap();
  }

  dispose(): void {
    this.#gapTimer?.unsubscribe();
    this.#gapTimer = null;
    this.#repairSubject.complete();
  }

  // ---------------------------------------------------------------------------------------------

  #merge(incoming: readonly ChatMessage[]): ChatMessage[] {
    const added: ChatMessage[] = [];
    for (const m of incoming) {
      if (this.#ids.has(m.id)) continue;
      const last = this.#list[this.#list.length - 1];
      // the usual case, a restore's page or a live message: after everything we have
      if (!last || last.seq < m.seq) this.#list.push(m);
      else if (this.has(m.seq)) continue;
      else this.#list.splice(this.#insertionIndex(m.seq), 0, m);
      this.#ids.add(m.id);
      added.push(m);
    }
    if (added.length) {
      this.#view = this.#list.slice();
      added.sort((a, b) => a.seq - b.seq);
    }
    return added;
  }

  /** the index of the first message with a seq >= `seq` (the list's length if none) */
  #insertionIndex(seq: number): number {
    let lo = 0;
    let hi = this.#list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#list[mid]!.seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #advance(): void {
    if (this.#contiguous === undefined) return;
    // walk the sorted list from the first seq after the contiguous part: a message that stops
    // the walk comes after a hole
    let i = this.#insertionIndex(this.#contiguous + 1);
    while (this.#list[i]?.seq === this.#contiguous + 1) {
      this.#contiguous++;
      i++;
    }
    if (this.#gapTimer && !this.#list[i]) {
      this.#gapTimer.unsubscribe();
      this.#gapTimer = null;
    }
  }

  /** Usually a hole fills by itself within moments (reordering across a rejoin); else repair. */
  #noteGap(): void {
    if (this.#gapTimer || this.#repairSubject.closed) return;
    this.#gapTimer = this.#scheduler.schedule(() => {
      this.#gapTimer = null;
      if (this.#contiguous !== undefined) this.#repairSubject.next(this.#contiguous);
    }, this.#gapDelayMs);
  }
}
