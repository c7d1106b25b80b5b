/**
 * The agent's current chat, from Finesse's media API (finesse.js 12.0+: User.getMediaList →
 * Media.getMediaDialogs): chats routed to the agent as non-voice dialogs, whose media properties
 * carry the interaction id. `interactionId$` replays the newest live chat's id, or null when the
 * agent has none (or finesse.js has no media API). Shares the page's one ClientServices / User
 * with FinesseHost, so it never opens a second subscription to the agent's topics.
 *
 * @example
 * const chats = new FinesseChatSource();
 * chats.interactionId$.subscribe((id) =>
 *   id ? panel.setAttribute('interaction-id', id) : panel.removeAttribute('interaction-id'));
 */
import { BehaviorSubject, distinctUntilChanged, type Observable } from 'rxjs';
import { FinessePage, type PageListener } from './finesse-page.js';
import { finesseGlobal, type FinesseDialog, type FinesseGlobal } from './finesse-types.js';

export interface FinesseChatSourceOptions {
  readonly finesse?: FinesseGlobal;
  /** the media (MRD) id whose dialogs are chats; default every media in the agent's list */
  readonly mediaId?: string;
  /** the media property holding the interaction id; default `interactionId` */
  readonly property?: string;
}

interface MediaDialogs {
  getCollection?(): Record<string, FinesseDialog> | null | undefined;
}
interface Media {
  getMediaDialogs(h: {
    onCollectionAdd?: (d: FinesseDialog) => void;
    onCollectionDelete?: (d: FinesseDialog) => void;
    onLoad?: (c: MediaDialogs) => void;
  }): MediaDialogs;
}
interface MediaList {
  getCollection?(): Record<string, unknown> | null | undefined;
  getMedia(o: { id: string; onLoad?: (m: Media) => void; onError?: (e: unknown) => void }): Media;
}
interface UserWithMedia {
  getMediaList?(o: { onLoad?: (l: MediaList) => void; onError?: (e: unknown) => void }): MediaList;
}

const ENDED = /^(DROPPED|FAILED|CLOSED)$/;

export class FinesseChatSource {
  private readonly subject = new BehaviorSubject<string | null>(null);
  readonly interactionId$: Observable<string | null> = this.subject.pipe(distinctUntilChanged());
  /** live chats in arrival order: dialog id -> interaction id */
  private readonly live = new Map<string, string>();
  private readonly handlers = new Map<string, { dialog: FinesseDialog; fn: () => void }>();
  private readonly detach: () => void;
  private disposed = false;
  private loaded = false;

  constructor(private readonly options: FinesseChatSourceOptions = {}) {
    const fin = options.finesse ?? finesseGlobal();
    if (!fin) throw new Error('finesse.js is not loaded');
    const noop = () => undefined;
    const listener: PageListener = {
      onConnected: noop,
      onUser: (user) => this.onUser(user as UserWithMedia),
      onDialogsLoaded: noop,
      onDialogAdded: noop,
      onDialogDeleted: noop,
      onLoadError: noop,
      onReread: noop,
    };
    this.detach = FinessePage.for(fin).attach(listener);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.detach();
    for (const { dialog, fn } of this.handlers.values())
      safe(() => dialog.removeHandler?.('change', fn));
    this.handlers.clear();
    this.subject.complete();
  }

  private onUser(user: UserWithMedia): void {
    if (this.disposed || this.loaded || typeof user.getMediaList !== 'function') return;
    this.loaded = true;
    safe(() =>
      user.getMediaList!({
        onLoad: (list) => {
          const ids = this.options.mediaId
            ? [this.options.mediaId]
            : Object.keys(safe(() => list.getCollection?.()) ?? {});
          for (const id of ids)
            safe(() =>
              list.getMedia({
                id,
                onLoad: (media) =>
                  safe(() =>
                    media.getMediaDialogs({
                      onCollectionAdd: (d) => this.add(d),
                      onCollectionDelete: (d) => this.remove(safe(() => d.getId())),
                      onLoad: (c) => {
                        for (const d of Object.values(safe(() => c.getCollection?.()) ?? {}))
                          this.add(d);
                      },
                    }),
                  ),
              }),
            );
        },
      }),
    );
  }

  private add(d: FinesseDialog): void {
    if (this.disposed) return;
    const id = safe(() => d.getId());
    const props = safe(() => d.getMediaProperties?.()) ?? {};
    const ix = props[this.options.property ?? 'interactionId'];
    if (!id || typeof ix !== 'string' || !ix || this.live.has(id)) return;
    if (ENDED.test(String(safe(() => d.getState?.()) ?? ''))) return;
    this.live.set(id, ix);
    const fn = () => {
      if (ENDED.test(String(safe(() => d.getState?.()) ?? ''))) this.remove(id);
    };
    this.handlers.set(id, { dialog: d, fn });
    safe(() => d.addHandler?.('change', fn));
    this.publish();
  }

  private remove(id: string | undefined): void {
    if (this.disposed || !id || !this.live.delete(id)) return;
    const h = this.handlers.get(id);
    if (h) safe(() => h.dialog.removeHandler?.('change', h.fn));
    this.handlers.delete(id);
    this.publish();
  }

  private publish(): void {
    const ids = [...this.live.values()];
    this.subject.next(ids.at(-1) ?? null);
  }
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
