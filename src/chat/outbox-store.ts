/**
 * What the agent typed that must outlive the element: messages not yet acknowledged (with their
 * clientMsgId, so a resend is de-duplicated by the server) and the composer draft, per agent and
 * interaction.
 *
 * Why sessionStorage and not IndexedDB:
 * - it is synchronous: the write is done before `send()` returns, so a reload (F5, a Finesse
 *   failover reloading every gadget) a moment later cannot lose it; an IndexedDB transaction
 *   still in flight at `pagehide` can be;
 * - it lives exactly as long as the tab: it survives reloads and gadget (iframe) reloads of the
 *   same origin, and is gone when the tab closes, so nothing the agent typed lingers on a shared
 *   workstation after the desktop is closed;
 * - the amounts are small and bounded (see `storeLimits`).
 * A record is removed as soon as it holds nothing (every message acknowledged, no draft), when
 * the session ends, and when it is older than `maxAgeMs` (no chat lasts that long).
 * Where sessionStorage is unavailable (a sandboxed iframe, storage disabled, quota) the record
 * is kept in memory: it still survives a re-render or re-configuration, not a reload.
 */

/** An agent message held until the server acknowledges it. */
export interface HeldMessage {
  readonly clientMsgId: string;
  readonly text: string;
}

export interface StoredChat {
  readonly held: readonly HeldMessage[];
  readonly draft: string;
}

export const storeLimits = {
  /** held messages per interaction (4000 characters each at most) */
  maxHeld: 100,
  /** interaction records kept per tab; the oldest go first */
  maxRecords: 20,
  /** a record this old belongs to an interaction that is over */
  maxAgeMs: 12 * 60 * 60 * 1000,
  maxDraftLength: 4000,
} as const;

const prefix = 'ag-chat:v1:';

interface Record_ {
  readonly held: HeldMessage[];
  readonly draft: string;
  readonly savedAt: number;
}

type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;

/** Used when sessionStorage cannot be used; shared by every panel of the page. */
const memory = new Map<string, string>();
const memoryStore: KeyValueStore = {
  getItem: (k) => memory.get(k) ?? null,
  setItem: (k, v) => void memory.set(k, v),
  removeItem: (k) => void memory.delete(k),
  key: (i) => [...memory.keys()][i] ?? null,
  get length() {
    return memory.size;
  },
};

function sessionStore(): KeyValueStore | null {
  try {
    // reading the property throws in sandboxed iframes; a write can throw when disabled
    const s = (globalThis as { sessionStorage?: Storage }).sessionStorage;
    if (!s) return null;
    const probe = `${prefix}probe`;
    s.setItem(probe, '1');
    s.removeItem(probe);
    return s;
  } catch {
    return null;
  }
}

/**
 * An id for this tab (shared by its same-origin frames, kept across reloads, copied by
 * "duplicate tab" along with the records): the scope in which one panel owns a record.
 */
export function tabScope(): string {
  const s = sessionStore();
  const key = `${prefix}tab`;
  try {
    const existing = s?.getItem(key);
    if (existing) return existing;
    const id = Math.random().toString(36).slice(2, 12);
    s?.setItem(key, id);
    return id;
  } catch {
    return 'page';
  }
}

/** The storage key of one agent's record of one interaction. */
export function chatStoreKey(interactionId: string, agentId: string | undefined): string {
  return `${prefix}${encodeURIComponent(agentId ?? '')}:${encodeURIComponent(interactionId)}`;
}

function parse(raw: string | null): Record_ | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<Record_>;
    // our own data, but a tab may hold a record written by another version: keep what is sound
    const held = Array.isArray(v.held)
      ? v.held.filter(
          (h): h is HeldMessage =>
            !!h &&
            typeof h.clientMsgId === 'string' &&
            h.clientMsgId.length > 0 &&
            h.clientMsgId.length <= 128 &&
            typeof h.text === 'string',
        )
      : [];
    return {
      held: held.slice(0, storeLimits.maxHeld),
      draft: typeof v.draft === 'string' ? v.draft.slice(0, storeLimits.maxDraftLength) : '',
      savedAt: typeof v.savedAt === 'number' ? v.savedAt : 0,
    };
  } catch {
    return null;
  }
}

/** One agent's record of one interaction. */
export class ChatStore {
  readonly #storage: KeyValueStore;
  readonly #now: () => number;

  constructor(
    readonly key: string,
    o: { storage?: KeyValueStore | null; now?: () => number } = {},
  ) {
    this.#storage = (o.storage === undefined ? sessionStore() : o.storage) ?? memoryStore;
    this.#now = o.now ?? (() => Date.now());
  }

  load(): StoredChat {
    const r = this.#read();
    if (r && this.#now() - r.savedAt > storeLimits.maxAgeMs) {
      this.clear();
      return { held: [], draft: '' };
    }
    return { held: r?.held ?? [], draft: r?.draft ?? '' };
  }

  /**
   * Adds messages (after those already held). Panels sharing the record (two gadgets of one
   * tab on the same interaction) each add and release only their own, so none overwrites the
   * other's (same-origin frames of a tab share one event loop: a read-modify-write is atomic).
   */
  hold(messages: readonly HeldMessage[]): void {
    const r = this.load();
    const known = new Set(r.held.map((m) => m.clientMsgId));
    const held = [...r.held, ...messages.filter((m) => !known.has(m.clientMsgId))];
    this.#write({ ...r, held: held.slice(0, storeLimits.maxHeld) });
  }

  /** Removes messages the server acknowledged (or that will never be sent). */
  release(clientMsgIds: readonly string[]): void {
    const gone = new Set(clientMsgIds);
    const r = this.load();
    this.#write({ ...r, held: r.held.filter((m) => !gone.has(m.clientMsgId)) });
  }

  saveDraft(draft: string): void {
    this.#write({ ...this.load(), draft: draft.slice(0, storeLimits.maxDraftLength) });
  }

  /** The interaction is over (or everything is delivered and nothing is being typed). */
  clear(): void {
    try {
      this.#storage.removeItem(this.key);
    } catch {
      // nothing to do: the record is gone with the tab anyway
    }
    memory.delete(this.key);
  }

  #read(): Record_ | null {
    try {
      return parse(this.#storage.getItem(this.key)) ?? parse(memory.get(this.key) ?? null);
    } catch {
      return parse(memory.get(this.key) ?? null);
    }
  }

  #write(r: StoredChat): void {
    if (r.held.length === 0 && !r.draft) {
      this.clear();
      return;
    }
    const value = JSON.stringify({ held: r.held, draft: r.draft, savedAt: this.#now() });
    try {
      this.#storage.setItem(this.key, value);
      memory.delete(this.key);
      this.#prune();
    } catch {
      // quota or storage disabled since: keep it for this page at least
      memory.set(this.key, value);
    }
  }

  /** Old records and records beyond `maxRecords` (oldest first) go. */
  #prune(): void {
    const records: { key: string; savedAt: number }[] = [];
    for (let i = 0; i < this.#storage.length; i++) {
      const key = this.#storage.key(i);
      if (!key?.startsWith(prefix) || key === `${prefix}probe` || key === `${prefix}tab`) continue;
      records.push({ key, savedAt: parse(this.#storage.getItem(key))?.savedAt ?? 0 });
    }
    const now = this.#now();
    records.sort((a, b) => b.savedAt - a.savedAt);
    records.forEach((r, i) => {
      if (
        r.key !== this.key &&
        (i >= storeLimits.maxRecords || now - r.savedAt > storeLimits.maxAgeMs)
      )
        this.#storage.removeItem(r.key);
    });
  }
}
