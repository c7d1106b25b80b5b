import {
  BehaviorSubject,
  Subject,
  asyncScheduler,
  type Observable,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import { AgError, type AgErrorInfo } from '../protocol/errors.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';

export type OutboxState = 'queued' | 'sending' | 'sent' | 'failed-will-retry' | 'rejected';

export interface OutboxItem<P> {
  readonly clientMsgId: string;
  readonly payload: P;
  readonly state: OutboxState;
  readonly attempts: number;
  readonly error?: AgErrorInfo;
}

export interface OutboxOptions<P, A> {
  /** sends one item and resolves with the server's ack; must be idempotent on clientMsgId server-side */
  send: (clientMsgId: string, payload: P) => Promise<A>;
  /** sending happens only while this is true; a drop abandons the attempt in flight */
  connected$: Observable<boolean>;
  newId?: () => string;
  /** errors that will never succeed (validation, too large): the item is `rejected`, the queue moves on */
  isPermanent?: (e: unknown) => boolean;
  /** retry delays for failures while connected (e.g. an ack timeout) */
  backoff?: BackoffOptions;
  /** how many sent items stay in items$ for display (default 20) */
  keepSent?: number;
  /** items held before this outbox existed (a reload, a re-created session): queued first, in
   *  this order, with their ids, so a resend is de-duplicated by the server like any other */
  initial?: readonly { readonly clientMsgId: string; readonly payload: P }[];
  scheduler?: SchedulerLike;
}

/** Errors that resending cannot fix. */
const defaultIsPermanent = (e: unknown): boolean =>
  e instanceof AgError &&
  (e.code === 'message-too-long' || e.code === 'session-closed' || e.code === 'session-not-found');

let fallbackCounter = 0;
export function defaultClientId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  return `c${Date.now().toString(36)}${(fallbackCounter++).toString(36)}${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * Exactly-once, ordered sends across reconnects and endpoint switches. Every payload gets a
 * client id when enqueued and keeps it for every attempt; one item is in flight at a time (so
 * order holds); an attempt cut off by a disconnect is resent with the same id on the next
 * connection, and the server's de-duplication by that id turns "at least once" into "exactly once".
 */
export class Outbox<P, A> {
  readonly #itemsSubject = new BehaviorSubject<readonly OutboxItem<P>[]>([]);
  readonly #ackedSubject = new Subject<{ item: OutboxItem<P>; answer: A }>();
  readonly #scheduler: SchedulerLike;
  readonly #connectedSub: Subscription;
  /** every item still shown, in enqueue order: unsent, rejected, and the last `keepSent` sent */
  #entries: OutboxItem<P>[] = [];
  #connected = false;
  /** token of the attempt in flight; results of older attempts are only used if they succeeded */
  #inFlight: { id: string; token: number } | null = null;
  #tokens = 0;
  #retryTimer: Subscription | null = null;
  #disposed = false;

  /** in enqueue order: items not yet sent (queued, sending, failed-will-retry), rejected ones,
   *  and the most recently sent ones (up to `keepSent`) */
  readonly items$: Observable<readonly OutboxItem<P>[]> = this.#itemsSubject.asObservable();
  readonly acked$: Observable<{ item: OutboxItem<P>; answer: A }> =
    this.#ackedSubject.asObservable();

  constructor(private readonly o: OutboxOptions<P, A>) {
    this.#scheduler = o.scheduler ?? asyncScheduler;
    const seen = new Set<string>();
    for (const held of o.initial ?? []) {
      if (seen.has(held.clientMsgId)) continue;
      seen.add(held.clientMsgId);
      this.#entries.push({
        clientMsgId: held.clientMsgId,
        payload: held.payload,
        state: 'queued',
        attempts: 0,
      });
    }
    this.#itemsSubject.next([...this.#entries]);
    this.#connectedSub = o.connected$.subscribe((connected) => {
      this.#connected = connected;
      if (!connected && this.#inFlight) {
        // the ack may never come on a dead socket: resend (same id) on the next connection
        const id = this.#inFlight.id;
        this.#inFlight = null;
        this.#update(id, { state: 'failed-will-retry' });
      }
      if (connected) {
        this.#cancelRetry();
        this.#pump();
      }
    });
  }

  get items(): readonly OutboxItem<P>[] {
    return this.#itemsSubject.value;
  }

  enqueue(payload: P): OutboxItem<P> {
    const item: OutboxItem<P> = {
      clientMsgId: (this.o.newId ?? defaultClientId)(),
      payload,
      state: 'queued',
      attempts: 0,
    };
    if (this.#disposed) return item;
    this.#entries.push(item);
    this.#publish();
    this.#pump();
    return item;
  }

  /** Stops sending; unsent items stay unsent. Ends items$ and acked$. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#connectedSub.unsubscribe();
    this.#cancelRetry();
    this.#inFlight = null;
    this.#itemsSubject.complete();
    this.#ackedSubject.complete();
  }

  #pump(): void {
    if (this.#disposed || !this.#connected || this.#inFlight || this.#retryTimer) return;
    const head = this.#entries.find((x) => x.state !== 'rejected' && x.state !== 'sent');
    if (!head) return;
    const token = ++this.#tokens;
    this.#inFlight = { id: head.clientMsgId, token };
    const item = this.#update(head.clientMsgId, { state: 'sending', attempts: head.attempts + 1 });
    let sending: Promise<A>;
    try {
      sending = this.o.send(head.clientMsgId, head.payload);
    } catch (e) {
      sending = Promise.reject(e);
    }
    sending.then(
      (answer) => this.#onAck(head.clientMsgId, answer),
      (error: unknown) => this.#onError(head.clientMsgId, token, error, item?.attempts ?? 1),
    );
  }

  #onAck(id: string, answer: A): void {
    if (this.#disposed) return;
    const item = this.#entries.find((x) => x.clientMsgId === id);
    // already acked (a late answer of an abandoned attempt and the resend both arrive): once only
    if (!item || item.state === 'rejected' || item.state === 'sent') return;
    if (this.#inFlight?.id === id) this.#inFlight = null;
    const done: OutboxItem<P> = {
      clientMsgId: item.clientMsgId,
      payload: item.payload,
      state: 'sent',
      attempts: item.attempts,
    };
    this.#entries = this.#entries.map((x) => (x === item ? done : x));
    this.#trimSent();
    this.#publish();
    this.#ackedSubject.next({ item: done, answer });
    this.#pump();
  }

  /** Forgets the oldest sent items beyond `keepSent` (they are only kept for display). */
  #trimSent(): void {
    const keep = this.o.keepSent ?? 20;
    let excess = this.#entries.filter((x) => x.state === 'sent').length - keep;
    if (excess <= 0) return;
    this.#entries = this.#entries.filter((x) => !(x.state === 'sent' && excess-- > 0));
  }

  #onError(id: string, token: number, error: unknown, attempts: number): void {
    if (this.#disposed || this.#inFlight?.token !== token) return;
    this.#inFlight = null;
    const info: AgErrorInfo =
      error instanceof AgError
        ? { code: error.code, message: error.message }
        : {
            code: 'send-failed',
            message: error instanceof Error ? error.message : String(error),
          };
    if ((this.o.isPermanent ?? defaultIsPermanent)(error)) {
      this.#update(id, { state: 'rejected', error: info });
      this.#pump();
      return;
    }
    this.#update(id, { state: 'failed-will-retry', error: info });
    // still connected (e.g. an ack timeout): try again after a backoff; a reconnect retries at once
    this.#retryTimer = this.#scheduler.schedule(
      () => {
        this.#retryTimer = null;
        this.#pump();
      },
      backoffDelay(attempts - 1, this.o.backoff),
    );
  }

  #cancelRetry(): void {
    this.#retryTimer?.unsubscribe();
    this.#retryTimer = null;
  }

  #update(
    id: string,
    patch: Partial<Pick<OutboxItem<P>, 'state' | 'attempts' | 'error'>>,
  ): OutboxItem<P> | undefined {
    let updated: OutboxItem<P> | undefined;
    this.#entries = this.#entries.map((x) =>
      x.clientMsgId === id ? (updated = { ...x, ...patch }) : x,
    );
    this.#publish();
    return updated;
  }

  #publish(): void {
    if (!this.#disposed) this.#itemsSubject.next([...this.#entries]);
  }
}
