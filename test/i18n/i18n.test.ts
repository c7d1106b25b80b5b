// fixtureSync for plain roots: fixture() waits a requestAnimationFrame for a non-Lit root, and a
// test page in a background tab (two files run at once) may not get one for minutes
import { expect, fixture, fixtureCleanup, fixtureSync, html } from '@open-wc/testing';
import { LitElement } from 'lit';
import {
  LocalizeController,
  de,
  direction,
  en,
  es,
  fallbackChain,
  formatDate,
  formatNumber,
  fr,
  registerTranslation,
  resolveLanguage,
  supportedLanguage,
  term,
  type MessageKey,
} from '../../src/i18n/index.js';

// no element registers its English here: the whole English catalogue, as an integrator can
registerTranslation(en, de, es, fr);

/** A minimal element localized as the gadgets will be: strings and dir from the controller. */
class AgI18nProbe extends LitElement {
  hostLocale: string | undefined;
  readonly l10n = new LocalizeController(this, () => this.hostLocale);
  renders = 0;
  override render() {
    this.renders++;
    return html`<p dir=${this.l10n.dir()}>${this.l10n.term('chat.send')}</p>`;
  }
  text(): string {
    return this.shadowRoot!.querySelector('p')!.textContent!;
  }
  dirOf(): string {
    return this.shadowRoot!.querySelector('p')!.getAttribute('dir')!;
  }
}
customElements.define('ag-i18n-probe', AgI18nProbe);

const html0 = document.documentElement;
const savedLang = html0.getAttribute('lang');

describe('i18n: catalogues', () => {
  it('German, Spanish and French define every English key, each string non-empty', () => {
    const keys = Object.keys(en).filter((k) => !k.startsWith('$')) as MessageKey[];
    for (const cat of [de, es, fr]) {
      for (const k of keys) {
        const m = cat[k];
        const forms = typeof m === 'string' ? [m] : Object.values(m);
        expect(
          forms.every((f) => typeof f === 'string' && f.length > 0),
          `${cat.$code} ${k}`,
        ).to.be.true;
      }
      expect(Object.keys(cat).filter((k) => !k.startsWith('$'))).to.have.length(keys.length);
    }
  });
});

describe('i18n: language resolution', () => {
  afterEach(() => {
    fixtureCleanup();
    if (savedLang === null) html0.removeAttribute('lang');
    else html0.setAttribute('lang', savedLang);
  });

  it('nearest lang on the element or an ancestor, across a shadow root', async () => {
    const outer = fixtureSync(html`<section lang="fr"><div><span></span></div></section>`);
    expect(resolveLanguage(outer.querySelector('span')!)).to.equal('fr');
    const host = fixtureSync(html`<div lang="es"><div id="h"></div></div>`);
    const shadow = host.querySelector('#h')!.attachShadow({ mode: 'open' });
    const inner = document.createElement('b');
    shadow.append(inner);
    expect(resolveLanguage(inner), 'crosses the shadow root to the host').to.equal('es');
    inner.setAttribute('lang', 'de');
    expect(resolveLanguage(inner), 'its own lang first').to.equal('de');
  });

  it('then the host locale (Finesse), then <html lang>, then English', async () => {
    html0.setAttribute('lang', 'es');
    const el = fixtureSync(html`<div><span></span></div>`);
    const span = el.querySelector('span')!;
    expect(resolveLanguage(span, 'de-DE')).to.equal('de-DE');
    expect(resolveLanguage(span)).to.equal('es');
    html0.removeAttribute('lang');
    expect(resolveLanguage(span)).to.equal('en');
    const near = fixtureSync(html`<div lang="fr"><span></span></div>`);
    expect(resolveLanguage(near.querySelector('span')!, 'de')).to.equal('fr');
  });

  it('renders in de, es and fr and follows lang changes and host locale', async () => {
    const el = await fixture<AgI18nProbe>(html`<ag-i18n-probe lang="de"></ag-i18n-probe>`);
    expect(el.text()).to.equal('Senden');
    el.setAttribute('lang', 'es');
    await new Promise((r) => setTimeout(r)); // the MutationObserver's callback
    await el.updateComplete;
    expect(el.text()).to.equal('Enviar');
    el.setAttribute('lang', 'fr-CA');
    await new Promise((r) => setTimeout(r));
    await el.updateComplete;
    expect(el.text(), 'fr-CA falls back to fr').to.equal('Envoyer');
    el.removeAttribute('lang');
    el.hostLocale = 'de-AT';
    el.requestUpdate();
    await el.updateComplete;
    expect(el.text()).to.equal('Senden');
  });
});

describe('i18n: fallback, plurals, Intl formatting', () => {
  it('falls back region -> language -> English, and for unknown or broken codes', () => {
    expect(fallbackChain('de-AT')).to.deep.equal(['de-at', 'de', 'en']);
    expect(supportedLanguage('de_AT')).to.equal('de');
    expect(supportedLanguage('pt-BR')).to.equal('en');
    expect(term('pt-BR', 'chat.send')).to.equal('Send');
    expect(term('not a language!', 'chat.send')).to.equal('Send');
    registerTranslation({ $code: 'de-CH', 'chat.send': 'Absenden' });
    expect(term('de-CH', 'chat.send')).to.equal('Absenden');
    expect(term('de-CH', 'chat.you'), 'a key missing in de-CH comes from de').to.equal('Sie');
  });

  it('fills arguments and picks plural forms by the language rules', () => {
    expect(term('en', 'chat.status.reconnectingMoved', { endpoint: 'chat-2' })).to.equal(
      'Reconnecting — moved to instance chat-2',
    );
    expect(term('en', 'chat.typing', { names: 'Dana', count: 1 })).to.equal('Dana is typing…');
    expect(term('en', 'chat.typing', { names: 'Dana, Lee', count: 2 })).to.equal(
      'Dana, Lee are typing…',
    );
    expect(term('de', 'chat.typing', { names: 'Dana, Lee', count: 2 })).to.equal(
      'Dana, Lee schreiben…',
    );
    // French counts 0 as singular, English does not
    expect(term('fr', 'chat.showEarlier', { count: 0 })).to.equal('Afficher 0 message précédent');
    expect(term('en', 'chat.showEarlier', { count: 0 })).to.equal('Show 0 earlier messages');
    // numbers in arguments are formatted for the language
    expect(term('de', 'chat.showEarlier', { count: 1200 })).to.equal(
      '1.200 frühere Nachrichten anzeigen',
    );
  });

  it('formats numbers and dates through Intl', () => {
    expect(formatNumber('de', 1234.5)).to.equal('1.234,5');
    expect(formatNumber('en', 1234.5)).to.equal('1,234.5');
    const d = Date.UTC(2026, 11, 1, 12);
    expect(formatDate('fr', d, { month: 'long', timeZone: 'UTC' })).to.equal('décembre');
    expect(formatDate('es', d, { month: 'long', timeZone: 'UTC' })).to.equal('diciembre');
  });
});

describe('i18n: run-time override and right-to-left', () => {
  afterEach(() => {
    fixtureCleanup();
    registerTranslation({ $code: 'en', 'chat.send': en['chat.send'] });
  });

  it('an override replaces one string and re-renders elements on the page', async () => {
    const el = await fixture<AgI18nProbe>(html`<ag-i18n-probe lang="en"></ag-i18n-probe>`);
    expect(el.text()).to.equal('Send');
    registerTranslation({ $code: 'en', 'chat.send': 'Reply' });
    await el.updateComplete;
    expect(el.text()).to.equal('Reply');
    expect(term('en', 'chat.you'), 'the rest of English is kept').to.equal('You');
  });

  it('a second copy of the registry (another element bundle on the page) shares the translations', async () => {
    const url = new URL('../../src/i18n/registry.ts?second-copy', import.meta.url).href;
    const copy = (await import(
      /* @vite-ignore */ url
    )) as typeof import('../../src/i18n/registry.js');
    expect(copy.registerTranslation, 'really another module instance').not.to.equal(
      registerTranslation,
    );
    const el = await fixture<AgI18nProbe>(html`<ag-i18n-probe lang="en"></ag-i18n-probe>`);
    copy.registerTranslation({ $code: 'en', 'chat.send': 'Reply' });
    await el.updateComplete;
    expect(el.text(), 'this copy re-rendered its element').to.equal('Reply');
    expect(term('en', 'chat.send')).to.equal('Reply');
  });

  it('Arabic and Hebrew are right-to-left, registered or not', async () => {
    expect(direction('ar')).to.equal('rtl');
    expect(direction('he-IL')).to.equal('rtl');
    expect(direction('de')).to.equal('ltr');
    expect(direction('az-Arab')).to.equal('rtl');
    registerTranslation({ $code: 'ar', $name: 'العربية', $dir: 'rtl', 'chat.send': 'إرسال' });
    const el = fixtureSync<HTMLElement>(html`<div lang="ar"><ag-i18n-probe></ag-i18n-probe></div>`);
    const probe = el.querySelector<AgI18nProbe>('ag-i18n-probe')!;
    await probe.updateComplete;
    expect(probe.text()).to.equal('إرسال');
    expect(probe.dirOf()).to.equal('rtl');
    const p = probe.shadowRoot!.querySelector('p')!;
    expect(getComputedStyle(p).direction).to.equal('rtl');
  });
});
