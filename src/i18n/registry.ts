// A small message registry (in the manner of Shoelace's): catalogues are plain objects keyed by
// message, registered at run time, looked up by language with fallback (de-AT -> de -> en).
// Chosen over @lit/localize's runtime mode for the bundle budget: no generated per-locale
// modules, each element builds in only its own English strings (LocalizeController registers
// them), the shipped languages load on demand (loader.ts), and integrators add or override
// strings with one call. Plurals, numbers, lists and dates go through Intl.
import type { en } from './en.js';

/** A message: text with `{name}` placeholders, or plural forms picked by the `count` argument. */
export type Message = string | (Partial<Record<Intl.LDMLPluralRule, string>> & { other: string });

type Meta = '$code' | '$name' | '$dir';
export type MessageKey = Exclude<keyof typeof en, Meta>;
export type MessageArgs = Readonly<Record<string, string | number>>;

/** A full catalogue: every key English has. */
export type Catalogue = { readonly [K in MessageKey]: Message } & {
  readonly $code: string;
  readonly $name: string;
  readonly $dir?: 'ltr' | 'rtl';
};

/** What `registerTranslation` takes: a language code and any subset of the messages. */
export type Translation = { readonly [K in MessageKey]?: Message } & {
  readonly $code: string;
  readonly $name?: string;
  readonly $dir?: 'ltr' | 'rtl';
};

export const fallbackLanguage = 'en';
const storeKey = Symbol.for('agent-gadgets.i18n');
interface Store {
  readonly catalogues: Map<string, Translation>;
  readonly listeners: Set<() => void>;
}
/**
 * One store per page, not per copy of this module: the self-contained element bundles each
 * carry a copy, and a translation registered through any of them (or through
 * `agent-gadgets/i18n`) must reach every element on the page.
 */
const store: Store = ((globalThis as { [storeKey]?: Store })[storeKey] ??= {
  catalogues: new Map([['en', { $code: 'en', $name: 'English', $dir: 'ltr' }]]),
  listeners: new Set(),
});
const { catalogues, listeners } = store;

const normalise = (code: string) => code.trim().replace(/_/g, '-').toLowerCase();

/**
 * Adds languages or overrides strings, at any time: a second registration of a code merges
 * into the first (so `registerTranslation({ $code: 'en', 'chat.send': 'Reply' })` changes one
 * string). Elements on the page re-render.
 */
export function registerTranslation(...translations: Translation[]): void {
  for (const t of translations) {
    const code = normalise(t.$code);
    catalogues.set(code, { ...catalogues.get(code), ...t, $code: code });
  }
  for (const l of listeners) l();
}

/** Some of the messages, without the language fields. */
export type Messages = { readonly [K in MessageKey]?: Message };

const builtIn = new WeakSet<Messages>();

/**
 * An element's built-in English strings, registered under any English override when its first
 * instance is created. Quiet: no element can have shown these keys before.
 */
export function registerBuiltIn(english: Messages): void {
  if (builtIn.has(english)) return;
  builtIn.add(english);
  catalogues.set(fallbackLanguage, {
    ...english,
    ...catalogues.get(fallbackLanguage)!,
    $code: 'en',
  });
}

/**
 * Registers a shipped catalogue loaded on demand (loader.ts) *under* what is registered: an
 * integrator's override registered before the catalogue arrived is kept.
 */
export function registerShipped(t: Translation): void {
  const code = normalise(t.$code);
  catalogues.set(code, { ...t, ...catalogues.get(code), $code: code });
  for (const l of listeners) l();
}

/** Called after every registration; returns the unsubscribe function. */
export function onTranslationsChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The registered language codes (lower-case BCP 47). */
export function registeredLanguages(): string[] {
  return [...catalogues.keys()];
}

/** `de-AT` -> [`de-at`, `de`, `en`]: the catalogues a lookup tries, in order. */
export function fallbackChain(lang: string): string[] {
  const parts = normalise(lang || fallbackLanguage).split('-');
  const chain: string[] = [];
  for (let i = parts.length; i > 0; i--) chain.push(parts.slice(0, i).join('-'));
  if (!chain.includes(fallbackLanguage)) chain.push(fallbackLanguage);
  return chain;
}

/** The most specific registered language for `lang` (`de-AT` -> `de` when only `de` is). */
export function supportedLanguage(lang: string): string {
  return fallbackChain(lang).find((c) => catalogues.has(c)) ?? fallbackLanguage;
}

function lookup(lang: string, key: MessageKey): Message {
  for (const code of fallbackChain(lang)) {
    const m = catalogues.get(code)?.[key];
    if (m !== undefined) return m;
  }
  // only when neither the language nor English has it (English of an element not on the page)
  return key;
}

/** Language codes are validated by Intl; a broken `lang` falls back to English. */
function intlLocale(lang: string): string {
  try {
    // Finesse spells locales `de_DE`
    return Intl.getCanonicalLocales(lang.trim().replace(/_/g, '-'))[0] ?? fallbackLanguage;
  } catch {
    return fallbackLanguage;
  }
}

/** Intl formatters are costly to build and a panel renders hundreds of rows: one per locale and options. */
const formatters = new Map<string, unknown>();
function cached<T>(kind: string, locale: string, options: object | undefined, make: () => T): T {
  const key = `${kind}|${locale}|${options ? JSON.stringify(options) : ''}`;
  let f = formatters.get(key) as T | undefined;
  if (!f) formatters.set(key, (f = make()));
  return f;
}

/** The message `key` in `lang`, with `{name}` filled in (numbers formatted for `lang`). */
export function term(lang: string, key: MessageKey, args: MessageArgs = {}): string {
  const locale = intlLocale(lang);
  let m = lookup(lang, key);
  if (typeof m !== 'string') {
    const count = Number(args['count'] ?? 0);
    m =
      m[cached('p', locale, undefined, () => new Intl.PluralRules(locale)).select(count)] ??
      m.other;
  }
  return m.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = args[name];
    if (v === undefined) return whole;
    return typeof v === 'number' ? formatNumber(lang, v) : v;
  });
}

export function formatNumber(lang: string, n: number, options?: Intl.NumberFormatOptions): string {
  const locale = intlLocale(lang);
  return cached('n', locale, options, () => new Intl.NumberFormat(locale, options)).format(n);
}

/** `['Dana', 'Lee']` -> `Dana and Lee` (de: `Dana und Lee`). */
export function formatList(lang: string, items: readonly string[]): string {
  const locale = intlLocale(lang);
  return cached('l', locale, undefined, () => new Intl.ListFormat(locale)).format(items);
}

export function formatDate(
  lang: string,
  date: Date | number,
  options?: Intl.DateTimeFormatOptions,
): string {
  const locale = intlLocale(lang);
  return cached('d', locale, options, () => new Intl.DateTimeFormat(locale, options)).format(date);
}

const rtlLanguages = new Set(['ar', 'he', 'iw', 'fa', 'ur', 'ps', 'sd', 'ug', 'yi', 'dv', 'ckb']);

/** Writing direction: a catalogue's `$dir` if it has one, else known right-to-left scripts. */
export function direction(lang: string): 'ltr' | 'rtl' {
  const base = normalise(lang).split('-')[0] ?? '';
  // only the language's own catalogues: English's `ltr` must not decide for an unknown `ar`
  for (const code of fallbackChain(lang).filter((c) => c.split('-')[0] === base)) {
    const dir = catalogues.get(code)?.$dir;
    if (dir) return dir;
  }
  return rtlLanguages.has(base) || /-(arab|hebr|thaa|syrc|nkoo)\b/.test(normalise(lang))
    ? 'rtl'
    : 'ltr';
}

/** Attributes on the element itself that it reflected, and so do not count as the page's. */
export interface OwnReflected {
  readonly lang?: boolean;
  readonly dir?: boolean;
}

/**
 * The language an element is shown in: the nearest `lang` on it or an ancestor (crossing shadow
 * roots), then the host's locale (inside Finesse, the agent's), then the document's `<html
 * lang>`, then English. An empty `lang=""` means "unknown" and is skipped.
 */
export function resolveLanguage(
  el: Element,
  hostLocale?: string | null,
  reflected: OwnReflected = {},
): string {
  let node: Element | null = el;
  const root = el.ownerDocument.documentElement;
  while (node) {
    if (node !== root && !(node === el && reflected.lang)) {
      const lang = node.getAttribute('lang');
      if (lang) return lang;
    }
    node = parentOf(node);
  }
  return hostLocale || root.getAttribute('lang') || fallbackLanguage;
}

const parentOf = (node: Element): Element | null =>
  node.parentElement ?? ((node.getRootNode() as ShadowRoot).host || null);

const explicitDir = (node: Element): 'ltr' | 'rtl' | undefined => {
  const dir = node.getAttribute('dir')?.trim().toLowerCase();
  return dir === 'ltr' || dir === 'rtl' ? dir : undefined;
};

/**
 * The writing direction of an element: the nearest explicit declaration on it or an ancestor
 * wins, a `dir` attribute as such, a `lang` by its language's direction (so `<html dir="ltr">`
 * does not turn an element with `lang="ar"` left-to-right); then the host locale, then the
 * document's `dir`, then its `lang`.
 */
export function resolveDirection(
  el: Element,
  hostLocale?: string | null,
  reflected: OwnReflected = {},
): 'ltr' | 'rtl' {
  const root = el.ownerDocument.documentElement;
  for (let node: Element | null = el; node && node !== root; node = parentOf(node)) {
    const own = node === el;
    const dir = own && reflected.dir ? undefined : explicitDir(node);
    if (dir) return dir;
    const lang = own && reflected.lang ? null : node.getAttribute('lang');
    if (lang) return direction(lang);
  }
  if (hostLocale) return direction(hostLocale);
  return explicitDir(root) ?? direction(root.getAttribute('lang') || fallbackLanguage);
}
