/**
 * PendingRequests: the least a gadget reload needs to re-attach to a survey request instead of
 * creating a second one. Finesse reloads every gadget when the desktop fails over; agents
 * press F5. One small record per dialog (the idempotency key and what the agent chose), kept
 * in the tab's sessionStorage (it survives a reload, not the tab, and no other tab sees it),
 * at most `maxEntries`, none older than `maxAgeMs`, removed when the request is over or the
 * call has ended. Storage is injected: a missing or refusing storage only means no re-attach.
 */
import type { SurveyChannel, SurveyMode } from '../protocol/wire.js';

/** What was stored for one dialog. */
export interface PendingEntry {
  /** the idempotency key: PCS answers the same request for it */
  readonly key: string;
  readonly dialogId: string;
  /** a short hash of the caller and the dialed number: a reused dialog id is another call */
  readonly callTag: string;
  /** PCS's id, once it answered */
  readonly requestId?: string;
  readonly surveyId: string;
  readonly mode: SurveyMode;
  readonly channel: SurveyChannel;
  readonly language: string;
  /** only for the SMS channel: the number the survey goes to */
  readonly smsNumber?: string;
  /**
   * `running`: the workflow was under way, a reload resumes it; `held`: the host refused an
   * action, the agent decides again; `armed` / `transferred`: done, a reload only follows it.
   */
  readonly stage: 'running' | 'held' | 'armed' | 'transferred';
  /** when it was written (the session's clock) */
  readonly savedAt: number;
}

/** The part of the Web Storage API used here (sessionStorage, or a Map in tests). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface PendingRequestsOptions {
  /** null: nothing is kept (no storage, or it refused) */
  readonly storage: KeyValueStorage | null;
  /** the session's clock */
  readonly now: () => number;
  readonly maxEntries?: number;
  readonly maxAgeMs?: number;
  readonly storageKey?: string;
}

export const pendingStorageKey = 'agent-gadgets:survey-pending';

const str = (v: unknown, max = 256): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max;

function isEntry(v: unknown): v is PendingEntry {
  if (!v || typeof v !== 'object') return false;
  const e = v as Record<string, unknown>;
  return (
    str(e.key) &&
    str(e.dialogId) &&
    str(e.callTag, 32) &&
    (e.requestId === undefined || str(e.requestId)) &&
    str(e.surveyId) &&
    (e.mode === 'transfer' || e.mode === 'hangup') &&
    (e.channel === 'ivr' || e.channel === 'sms') &&
    str(e.language, 16) &&
    (e.smsNumber === undefined || str(e.smsNumber, 16)) &&
    (e.stage === 'running' ||
      e.stage === 'held' ||
      e.stage === 'armed' ||
      e.stage === 'transferred') &&
    typeof e.savedAt === 'number' &&
    Number.isFinite(e.savedAt)
  );
}

/** FNV-1a of the call's caller and dialed number (the number itself is not stored). */
export function callTag(ani: string, dialedNumber: string): string {
  let h = 0x811c9dc5;
  for (const c of `${ani}|${dialedNumber}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h.toString(36);
}

export class PendingRequests {
  readonly #maxEntries: number;
  readonly #maxAgeMs: number;
  readonly #storageKey: string;

  readonly #o: PendingRequestsOptions;

  constructor(o: PendingRequestsOptions) {
    this.#o = o;
    this.#maxEntries = o.maxEntries ?? 8;
    this.#maxAgeMs = o.maxAgeMs ?? 4 * 60 * 60 * 1000;
    this.#storageKey = o.storageKey ?? pendingStorageKey;
  }

  get(dialogId: string): PendingEntry | undefined {
    return this.#read().find((e) => e.dialogId === dialogId);
  }

  /** Writes (or replaces) the dialog's entry, stamped now. */
  save(entry: Omit<PendingEntry, 'savedAt'>): void {
    const others = this.#read().filter((e) => e.dialogId !== entry.dialogId);
    this.#write([...others, { ...entry, savedAt: this.#o.now() }].slice(-this.#maxEntries));
  }

  /** Updates the dialog's entry if there is one for this key. */
  update(dialogId: string, key: string, patch: Partial<Omit<PendingEntry, 'key' | 'dialogId'>>) {
    const entry = this.get(dialogId);
    if (entry?.key === key) this.save({ ...entry, ...patch });
  }

  clear(dialogId: string): void {
    const all = this.#read();
    const rest = all.filter((e) => e.dialogId !== dialogId);
    if (rest.length !== all.length) this.#write(rest);
  }

  /** The agent is on `dialogId`: the entries of every other dialog are over. */
  retainOnly(dialogId: string): void {
    const all = this.#read();
    const rest = all.filter((e) => e.dialogId === dialogId);
    if (rest.length !== all.length) this.#write(rest);
  }

  #read(): PendingEntry[] {
    const raw = this.#safe(() => this.#o.storage?.getItem(this.#storageKey) ?? null);
    if (!raw) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = null;
    }
    if (!Array.isArray(parsed)) {
      this.#write([]);
      return [];
    }
    const now = this.#o.now();
    // someone else's or a damaged record is dropped, never trusted
    return parsed
      .filter(isEntry)
      .filter((e) => now - e.savedAt <= this.#maxAgeMs && e.savedAt <= now + 60_000)
      .slice(-this.#maxEntries);
  }

  #write(entries: readonly PendingEntry[]): void {
    this.#safe(() =>
      entries.length
        ? this.#o.storage?.setItem(this.#storageKey, JSON.stringify(entries))
        : this.#o.storage?.removeItem(this.#storageKey),
    );
  }

  /** Storage can throw (quota, privacy settings, sandboxed iframes): then we keep nothing. */
  #safe<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch {
      return undefined;
    }
  }
}
