// The shipped catalogues load on demand. This file runs in a page of its own: nothing has
// loaded German, Spanish or French before it starts (the elements import only English).
import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import '../../src/define/chat-panel.js';
import '../../src/define/survey-transfer.js';
import type { AgChatPanel } from '../../src/chat/chat-panel.js';
import { loadShippedLanguage, shippedLanguages } from '../../src/i18n/loader.js';
import { registeredLanguages, registerTranslation, term } from '../../src/i18n/registry.js';

// the default buffer (250 entries) is full of the test page's own modules by now
performance.setResourceTimingBufferSize(100_000);

/** Catalogue modules this page has fetched so far. */
const fetched = (lang: string) =>
  performance
    .getEntriesByType('resource')
    .some((e) => new RegExp(`/src/i18n/${lang}\\.[jt]s$`).test(new URL(e.name).pathname));

describe('i18n: shipped catalogues load on demand', () => {
  afterEach(fixtureCleanup);

  it('importing both elements registers English only and fetches no other catalogue', () => {
    expect(registeredLanguages()).to.deep.equal(['en']);
    for (const lang of ['de', 'es', 'fr']) expect(fetched(lang), lang).to.equal(false);
    expect(shippedLanguages).to.deep.equal(['en', 'de', 'es', 'fr']);
  });

  it('a panel in Spanish fetches Spanish only, then re-renders in it', async () => {
    const el = await fixture<AgChatPanel>(html`<ag-chat-panel
      lang="es-MX"
      interaction-id="ix-1"
      interactions-url="http://interactions.invalid"
      credentials-timeout-ms="600000"
    ></ag-chat-panel>`);
    const send = () => el.shadowRoot!.querySelector('[part="send-button"]')!.textContent;
    await waitUntil(() => send() === 'Enviar', 'Spanish not loaded', { timeout: 10000 });
    expect(fetched('es')).to.equal(true);
    expect(fetched('de') || fetched('fr'), 'only the language in use').to.equal(false);
  });

  it('an override registered before its catalogue arrives is kept; the rest comes from the catalogue', async () => {
    document.createElement('ag-chat-panel'); // its first instance registers its English
    registerTranslation({ $code: 'de', 'chat.send': 'Abschicken' });
    expect(term('de', 'chat.you'), 'not loaded yet: English').to.equal('You');
    await loadShippedLanguage('de-AT');
    expect(term('de-AT', 'chat.send')).to.equal('Abschicken');
    expect(term('de-AT', 'chat.you')).to.equal('Sie');
    // asked for once: a second call is the same load
    await loadShippedLanguage('de');
    expect(
      performance
        .getEntriesByType('resource')
        .filter((e) => /\/src\/i18n\/de\.[jt]s$/.test(new URL(e.name).pathname)),
    ).to.have.length(1);
  });

  it('a language not shipped falls back to English without a fetch', async () => {
    document.createElement('ag-chat-panel');
    await loadShippedLanguage('pt-BR');
    expect(term('pt-BR', 'chat.send')).to.equal('Send');
    expect(fetched('pt')).to.equal(false);
  });

  it("each element builds in its own English only: the survey's strings come with the survey", () => {
    expect(term('en', 'survey.title'), 'no survey gadget created yet').to.equal('survey.title');
    document.createElement('ag-survey-transfer');
    expect(term('en', 'survey.title')).to.equal('Post-call survey');
    expect(term('fr', 'survey.title'), 'and is the fallback of every language').to.equal(
      'Post-call survey',
    );
  });
});
