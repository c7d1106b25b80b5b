import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { loadShippedLanguage } from './loader.js';
import {
  formatDate,
  formatList,
  formatNumber,
  onTranslationsChange,
  registerBuiltIn,
  resolveDirection,
  resolveLanguage,
  term,
  type MessageArgs,
  type MessageKey,
  type Messages,
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
 * `lang`/`dir` attribute changes anywhere in the document (one shared observer; attributes
 * inside other shadow roots are read at the next update) or a translation is registered; the
 * observer is removed when the last element leaves. Before each update it starts loading the
 * shipped catalogue of the language in use, reflects the writing direction to the host's `dir`
 * (unless the page set one), so its styles' logical properties mirror, and puts a language that
 * came from the host's locale on the host's `lang`, for screen readers.
 */
export class LocalizeController implements ReactiveController {
  /** the `dir` this controller put on the host (a different value is the page's own) */
  #reflectedDir: string | undefined;
  /** the `lang` this controller put on the host (the host's locale) */
  #reflectedLang: string | undefined;
  /** the language of the update under way: resolved once, not for every string of a render */
  #updating: string | undefined;

  /** the host's locale (inside Finesse, the agent's), used when no ancestor has a `lang` */
  readonly #hostLocale: () => string | null | undefined;

  constructor(
    readonly host: Host,
    hostLocale: () => string | null | undefined = () => undefined,
    /** the element's own English strings (its built-in fallback) */
    english?: Messages,
  ) {
    this.#hostLocale = hostLocale;
    if (english) registerBuiltIn(english);
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

  hostUpdate(): void {
    const host = this.host;
    const locale = this.#hostLocale();
    const ownLang = host.getAttribute('lang');
    const langOurs = ownLang !== null && ownLang === this.#reflectedLang;
    this.#updating = resolveLanguage(host, locale, { lang: langOurs });
    // registering the loaded catalogue re-renders every element (onTranslationsChange)
    void loadShippedLanguage(this.#updating);

    // A language from the host's locale is in no `lang` around the element: put it on the
    // element, so screen readers (and :lang()) read its strings in that language. Only changes
    // are written: the document observer sees every write, even of the same value.
    if (ownLang === null || langOurs) {
      const fromHost = !!locale && this.#updating === locale;
      const lang = fromHost ? locale.trim().replace(/_/g, '-') : undefined;
      if (lang && ownLang !== lang) host.setAttribute('lang', lang);
      else if (!lang && langOurs) host.removeAttribute('lang');
      this.#reflectedLang = lang;
    } else {
      this.#reflectedLang = undefined; // the page's choice: leave it
    }

    const ownDir = host.getAttribute('dir');
    if (ownDir !== null && ownDir !== this.#reflectedDir) {
      this.#reflectedDir = undefined; // the page's choice: leave it
      return;
    }
    const dir = resolveDirection(host, locale, { dir: true, lang: !!this.#reflectedLang });
    if (ownDir !== dir) host.setAttribute('dir', dir);
    this.#reflectedDir = dir;
  }

  hostUpdated(): void {
    this.#updating = undefined;
  }

  #reflected(): { lang: boolean; dir: boolean } {
    const own = (name: string, ours: string | undefined) =>
      ours !== undefined && this.host.getAttribute(name) === ours;
    return { lang: own('lang', this.#reflectedLang), dir: own('dir', this.#reflectedDir) };
  }

  /** The language in use (see resolveLanguage). */
  lang(): string {
    return this.#updating ?? resolveLanguage(this.host, this.#hostLocale(), this.#reflected());
  }

  /** The writing direction in use (see resolveDirection); the page's own `dir` on the element wins. */
  dir(): 'ltr' | 'rtl' {
    const r = this.#reflected();
    const own = this.host.getAttribute('dir');
    if (!r.dir && (own === 'rtl' || own === 'ltr')) return own;
    return resolveDirection(this.host, this.#hostLocale(), { dir: true, lang: r.lang });
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

  list(items: readonly string[]): string {
    return formatList(this.lang(), items);
  }
}
