import type { ReactiveController, ReactiveControllerHost } from 'lit';
import {
  direction,
  formatDate,
  formatNumber,
  onTranslationsChange,
  resolveLanguage,
  term,
  type MessageArgs,
  type MessageKey,
} from './registry.js';

type Host = ReactiveControllerHost & HTMLElement;

const connected = new Set<LocalizeController>();
let observer: MutationObserver | undefined;
let unsubscribe: (() => void) | undefined;

const refreshAll = () => {
  for (const c of connected) c.host.requestUpdate();
};

/**
 * Gives an element its strings: `this.l10n.term('chat.send')`. Re-renders the element when a
 * `lang`/`dir` attribute changes anywhere in the document (one shared observer) or a
 * translation is registered; the observer is removed when the last element leaves.
 */
export class LocalizeController implements ReactiveController {
  constructor(
    readonly host: Host,
    private readonly hostLocale: () => string | null | undefined = () => undefined,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    connected.add(this);
    if (!observer) {
      observer = new MutationObserver(refreshAll);
      observer.observe(document, {
        attributes: true,
        attributeFilter: ['lang', 'dir'],
        subtree: true,
      });
      unsubscribe = onTranslationsChange(refreshAll);
    }
  }

  hostDisconnected(): void {
    connected.delete(this);
    if (connected.size === 0) {
      observer?.disconnect();
      unsubscribe?.();
      observer = unsubscribe = undefined;
    }
  }

  /** The language in use (see resolveLanguage). */
  lang(): string {
    return resolveLanguage(this.host, this.hostLocale());
  }

  dir(): 'ltr' | 'rtl' {
    return direction(this.lang());
  }

  term(key: MessageKey, args?: MessageArgs): string {
    return term(this.lang(), key, args);
  }

  number(n: number, options?: Intl.NumberFormatOptions): string {
    return formatNumber(this.lang(), n, options);
  }

  date(d: Date | number, options?: Intl.DateTimeFormatOptions): string {
    return formatDate(this.lang(), d, options);
  }
}
