import { Observable, share } from 'rxjs';

/**
 * What the page tells a connection about the world outside it:
 * - `offline`: the browser lost its network (a socket on it is dead or about to be);
 * - `online`: the network is back (retry now, not after the backoff has run its course);
 * - `wake`: the page was frozen or hidden and runs again (`resume`, visible again, restored from
 *   the back/forward cache): timers may have been held back, so check liveness now.
 */
export type LifecycleSignal = 'online' | 'offline' | 'wake';

interface EventTargetLike {
  addEventListener(type: string, fn: () => void): void;
  removeEventListener(type: string, fn: () => void): void;
}

interface PageLike {
  document?: EventTargetLike & { visibilityState?: string };
}

/**
 * The browser's lifecycle and network events as signals; never emits where there are none
 * (Node, a worker without them). One set of listeners for every connection of the page.
 */
export const browserLifecycle: Observable<LifecycleSignal> = new Observable<LifecycleSignal>(
  (subscriber) => {
    const g = globalThis as Partial<EventTargetLike> & PageLike;
    if (typeof g.addEventListener !== 'function' || typeof g.removeEventListener !== 'function')
      return undefined;
    const win = g as EventTargetLike & PageLike;
    const doc = win.document;
    const online = () => subscriber.next('online');
    const offline = () => subscriber.next('offline');
    const wake = () => subscriber.next('wake');
    const visible = () => {
      if (doc?.visibilityState === 'visible') wake();
    };
    win.addEventListener('online', online);
    win.addEventListener('offline', offline);
    win.addEventListener('pageshow', wake);
    doc?.addEventListener('resume', wake);
    doc?.addEventListener('visibilitychange', visible);
    return () => {
      win.removeEventListener('online', online);
      win.removeEventListener('offline', offline);
      win.removeEventListener('pageshow', wake);
      doc?.removeEventListener('resume', wake);
      doc?.removeEventListener('visibilitychange', visible);
    };
  },
).pipe(share());
