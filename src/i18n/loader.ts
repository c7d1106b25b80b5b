// The shipped catalogues other than English, loaded when an element first needs one. A dynamic
// import per language keeps them out of the elements' main bundles (the bundle budget): a page in
// English downloads no translation, a page in German only German.
import { fallbackChain, registerShipped, type Translation } from './registry.js';

const shipped: Readonly<Record<string, () => Promise<Translation>>> = {
  de: () => import('./de.js').then((m) => m.de),
  es: () => import('./es.js').then((m) => m.es),
  fr: () => import('./fr.js').then((m) => m.fr),
};

/** Each shipped language is asked for once per page (a failed load is not retried in a loop). */
const requested = new Map<string, Promise<void>>();

/**
 * Starts loading the shipped catalogue `lang` falls back to (`de-AT` -> `de`), if there is one
 * and it was not asked for yet; registering it re-renders the elements. Resolves when it is in
 * (at once for English or a language not shipped). A failed load leaves English in place.
 */
export function loadShippedLanguage(lang: string): Promise<void> {
  const code = fallbackChain(lang).find((c) => c in shipped);
  if (!code) return Promise.resolve();
  let done = requested.get(code);
  if (!done) {
    done = shipped[code]!().then(registerShipped, (e: unknown) =>
      console.warn(`[agent-gadgets] the '${code}' translation did not load; English is shown`, e),
    );
    requested.set(code, done);
  }
  return done;
}

/** The languages that ship with the SDK (English is built in). */
export const shippedLanguages: readonly string[] = ['en', ...Object.keys(shipped)];
