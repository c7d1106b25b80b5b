// <ag-chat-panel> localized: rendered text in the shadow DOM for de/es/fr, the language chosen
// from the element, its ancestors, Finesse's agent locale and the document, live overrides,
// plurals and Intl times, and a mirrored layout for a right-to-left language.
// fixtureSync for plain wrappers: fixture() waits a requestAnimationFrame for a non-Lit root,
// which a test page in a background tab may not get.
import { expect, fixture, fixtureCleanup, fixtureSync, html, waitUntil } from '@open-wc/testing';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { MockBackend } from '../../src/mocks/index.js';
import { installFakeFinesse, type FakeFinesse } from '../../src/mocks/finesse/index.js';
import { registerTranslation } from '../../src/i18n/registry.js';
import { en } from '../../src/i18n/en.js';
import {
  agentId,
  chatOrigins,
  connectedPanel,
  startMock,
  stopMock,
  type AgChatPanel,
} from '../chat/helpers.js';

const $ = (el: AgChatPanel, sel: string) => el.shadowRoot!.querySelector<HTMLElement>(sel);
const textOf = (el: AgChatPanel, sel: string) => $(el, sel)?.textContent?.trim() ?? '';
const sendLabel = (el: AgChatPanel) => textOf(el, '[part="send-button"]');

const html0 = document.documentElement;
const savedLang = html0.getAttribute('lang');
function restoreDocumentLang(): void {
  if (savedLang === null) html0.removeAttribute('lang');
  else html0.setAttribute('lang', savedLang);
}

/** A panel with no back end: it waits for credentials (a long wait, so it does not fail). */
function idlePanel(lang?: string): Promise<AgChatPanel> {
  return fixture<AgChatPanel>(html`<ag-chat-panel
    lang=${ifDefined(lang)}
    interaction-id="ix-1"
    interactions-url="http://interactions.invalid"
    credentials-timeout-ms="600000"
  ></ag-chat-panel>`);
}

/** Waits for a text (a shipped catalogue arrives by dynamic import, then the panel re-renders). */
async function until(el: AgChatPanel, read: () => string, want: string | RegExp, what: string) {
  const ok = () => (typeof want === 'string' ? read() === want : want.test(read()));
  try {
    await waitUntil(ok, what, { timeout: 10000 });
  } catch {
    throw new Error(`${what}: still "${read()}"`);
  }
  await el.updateComplete;
}

describe('<ag-chat-panel> in German, Spanish and French (mocked back end)', () => {
  let mock: MockBackend;
  beforeEach(async () => {
    mock = await startMock();
  });
  afterEach(stopMock);

  const cases = [
    {
      lang: 'de',
      send: 'Senden',
      connected: 'Verbunden',
      placeholder: 'Nachricht eingeben',
      label: 'Nachricht',
      transcript: 'Chatverlauf',
      sent: 'Gesendet',
    },
    {
      lang: 'es',
      send: 'Enviar',
      connected: 'Conectado',
      placeholder: 'Escribe un mensaje',
      label: 'Mensaje',
      transcript: 'Transcripción del chat',
      sent: 'Enviado',
    },
    {
      lang: 'fr',
      send: 'Envoyer',
      connected: 'Connecté',
      placeholder: 'Saisissez un message',
      label: 'Message',
      transcript: 'Transcription du chat',
      sent: 'Envoyé',
    },
  ];
  for (const c of cases) {
    it(`lang="${c.lang}": status, composer, labels and delivery state are ${c.lang}`, async () => {
      const { interactionId } = await mock.interactions.startChat({ customerName: 'Dana' });
      await mock.customer.send(interactionId, 'hello');
      const el = await fixture<AgChatPanel>(html`<ag-chat-panel
        lang=${c.lang}
        interaction-id=${interactionId}
        interactions-url=${mock.urls.interactions}
        allowed-origins=${chatOrigins(mock)}
        agent-id=${agentId}
        .token=${'good-token'}
      ></ag-chat-panel>`);
      await waitUntil(() => el.connectionState === 'connected', 'not connected', {
        timeout: 8000,
      });
      await until(el, () => textOf(el, '[part="status"]'), c.connected, 'status line');
      expect(sendLabel(el)).to.equal(c.send);
      expect($(el, 'textarea')!.getAttribute('placeholder')).to.equal(c.placeholder);
      expect(textOf(el, 'label[for="message"]')).to.equal(c.label);
      expect($(el, '[part="transcript"]')!.getAttribute('aria-label')).to.equal(c.transcript);
      // the agent's own message, acknowledged: its delivery label
      el.send('hi');
      await until(
        el,
        () => textOf(el, '[part="message"][data-role="agent"] [part="delivery"]'),
        c.sent,
        'delivery label',
      );
      await expect(el).to.be.accessible();
    });
  }

  it("why a panel gave up is said in its language; the failure's own words are its title", async () => {
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    const refused = await fixture<AgChatPanel>(html`<ag-chat-panel
      lang="de"
      interaction-id=${interactionId}
      interactions-url=${mock.urls.interactions}
      allowed-origins=${chatOrigins(mock)}
      agent-id=${agentId}
      .token=${'bad-token'}
    ></ag-chat-panel>`);
    await waitUntil(() => refused.connectionState === 'failed', 'not refused', { timeout: 10000 });
    expect(refused.error?.code).to.equal('unauthorized');
    const status = () => textOf(refused, '[part="status"]');
    await until(refused, status, 'Getrennt: die Anmeldung wurde abgelehnt', 'refused, German');
    // the SDK's own English words stay readable for whoever supports the agent
    expect($(refused, '[part="status"]')!.title).to.equal(refused.error!.message);
    refused.setAttribute('lang', 'fr');
    await until(refused, status, 'Déconnecté : la connexion a été refusée', 'refused, French');

    const unset = await fixture<AgChatPanel>(html`<ag-chat-panel
      lang="es"
      interactions-url=${mock.urls.interactions}
    ></ag-chat-panel>`);
    await until(
      unset,
      () => textOf(unset, '[part="status"]'),
      'Desconectado: el panel no está bien configurado',
      'not set up, Spanish',
    );
    expect($(unset, '[part="status"]')!.title).to.match(/interaction-id/);
  });

  it('message times through Intl in the panel language: 24-hour German, 12-hour English', async () => {
    const { interactionId } = await mock.interactions.startChat({ customerName: 'Dana' });
    await mock.customer.send(interactionId, 'hello');
    const el = await connectedPanel(mock, interactionId);
    await until(el, () => textOf(el, '[part="message"] [part="time"]'), /\d/, 'a time');
    const time = $(el, '[part="message"] [part="time"]')!;
    const ts = Date.parse(time.getAttribute('datetime')!);
    expect(ts, 'datetime is the message time').to.equal(el.messages[0]!.ts);
    expect(time.textContent, 'English: hour, minutes, AM/PM').to.match(/^\d{1,2}:\d{2}\s?[AP]M$/);
    el.setAttribute('lang', 'de');
    await until(el, () => time.textContent ?? '', /^\d{2}:\d{2}$/, 'German time');
    const d = new Date(ts);
    const hh = String(d.getHours()).padStart(2, '0');
    const mm = String(d.getMinutes()).padStart(2, '0');
    expect(time.textContent).to.equal(`${hh}:${mm}`);
  });

  it('plurals: who is typing (German one and two, French two) and the earlier-messages count', async () => {
    const { interactionId } = await mock.interactions.startChat({
      customerName: 'Dana',
      instanceId: 'chat-1',
    });
    for (let i = 1; i <= 203; i++) await mock.customer.send(interactionId, `m${i}`);
    const agent = await connectedPanel(mock, interactionId);
    agent.setAttribute('lang', 'de');
    const typing = () => textOf(agent, '[part="typing"]');

    // more messages than the window: the button says how many are hidden, in the plural
    await waitUntil(() => agent.messages.length === 203, 'transcript not restored', {
      timeout: 10000,
    });
    const hidden = () =>
      agent.messages.length - agent.shadowRoot!.querySelectorAll('[part="message"]').length;
    await until(agent, () => textOf(agent, '[part="earlier"]'), /anzeigen$/, 'earlier, German');
    expect(hidden()).to.be.greaterThan(1);
    expect(textOf(agent, '[part="earlier"]')).to.equal(`${hidden()} frühere Nachrichten anzeigen`);

    mock.customer.typing(interactionId, true);
    await until(agent, typing, 'Dana schreibt…', 'one typing, German');

    const supervisor = await connectedPanel(mock, interactionId, { agentId: 'sup1' });
    const input = supervisor.shadowRoot!.querySelector('textarea')!;
    // both keep typing (an indicator with no news expires): refreshed while the test waits
    const keepTyping = () => {
      mock.customer.typing(interactionId, true);
      input.value += 'x';
      input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    };
    keepTyping();
    const timer = setInterval(keepTyping, 1000);
    try {
      // two names joined by Intl.ListFormat, the verb in the plural
      await until(
        agent,
        typing,
        /^(Dana und sup1|sup1 und Dana) schreiben…$/,
        'two typing, German',
      );
      agent.setAttribute('lang', 'fr');
      await until(
        agent,
        typing,
        /^(Dana et sup1|sup1 et Dana) sont en train d’écrire…$/,
        'two typing, French',
      );
    } finally {
      clearInterval(timer);
    }
    expect(textOf(agent, '[part="earlier"]')).to.equal(
      `Afficher les ${hidden()} messages précédents`,
    );
  });

  it('activity and announcements: a participant arriving, in the panel language', async () => {
    const { interactionId } = await mock.interactions.startChat({
      customerName: 'Dana',
      instanceId: 'chat-1',
    });
    const agent = await connectedPanel(mock, interactionId);
    agent.setAttribute('lang', 'es');
    await until(agent, () => sendLabel(agent), 'Enviar', 'Spanish');
    await connectedPanel(mock, interactionId, { agentId: 'sup1' });
    await until(
      agent,
      () => textOf(agent, '[part="activity"]'),
      'sup1 se ha unido al chat',
      'activity line',
    );
    expect(textOf(agent, '[role="status"]')).to.equal('sup1 se ha unido al chat');
  });
});

describe('<ag-chat-panel> language resolution', () => {
  let fake: FakeFinesse | undefined;
  afterEach(() => {
    fixtureCleanup();
    fake?.uninstall();
    fake = undefined;
    restoreDocumentLang();
  });

  it('follows <html lang> when nothing nearer says otherwise, and re-renders when it changes', async () => {
    html0.setAttribute('lang', 'de');
    const el = await idlePanel();
    await until(el, () => sendLabel(el), 'Senden', 'document German');
    expect(textOf(el, '[part="status"]')).to.equal('Warten auf Anmeldedaten…');
    html0.setAttribute('lang', 'es');
    await until(el, () => sendLabel(el), 'Enviar', 'document Spanish');
    html0.setAttribute('lang', 'fr-CA');
    await until(el, () => sendLabel(el), 'Envoyer', 'fr-CA falls back to fr');
    html0.removeAttribute('lang');
    await until(el, () => sendLabel(el), 'Send', 'no lang: English');
  });

  it('the nearest ancestor with lang wins over the document, and its changes are followed', async () => {
    html0.setAttribute('lang', 'es');
    const wrapper = fixtureSync<HTMLElement>(html`<section lang="fr">
      <div><ag-chat-panel
        interaction-id="ix-1"
        interactions-url="http://interactions.invalid"
        credentials-timeout-ms="600000"
      ></ag-chat-panel></div>
    </section>`);
    const el = wrapper.querySelector<AgChatPanel>('ag-chat-panel')!;
    await until(el, () => sendLabel(el), 'Envoyer', 'ancestor French');
    wrapper.setAttribute('lang', 'de');
    await until(el, () => sendLabel(el), 'Senden', 'ancestor German');
    // the element's own lang is nearer still
    el.setAttribute('lang', 'es');
    await until(el, () => sendLabel(el), 'Enviar', 'own Spanish');
  });

  it("inside Finesse the agent's locale is the language, unless a lang is set around the panel", async () => {
    html0.setAttribute('lang', 'en');
    fake = installFakeFinesse({ locale: 'de_DE' });
    const el = await idlePanel();
    await until(el, () => sendLabel(el), 'Senden', "agent's locale de_DE");
    expect(el.getAttribute('lang'), 'put on the panel for screen readers').to.equal('de-DE');
    expect(textOf(el, '[part="status"]')).to.equal('Warten auf Anmeldedaten…');
    const explicit = await idlePanel('fr');
    await until(explicit, () => sendLabel(explicit), 'Envoyer', 'own lang over the locale');
    expect(explicit.getAttribute('lang'), "the page's lang is left alone").to.equal('fr');
  });

  it('an integrator override changes one string live, the rest stays translated', async () => {
    const el = await idlePanel('de');
    await until(el, () => sendLabel(el), 'Senden', 'German');
    try {
      registerTranslation({ $code: 'de', 'chat.send': 'Abschicken' });
      await until(el, () => sendLabel(el), 'Abschicken', 'override');
      expect(textOf(el, 'label[for="message"]')).to.equal('Nachricht');
      registerTranslation({ $code: 'en', 'chat.send': 'Reply' });
      el.setAttribute('lang', 'en');
      await until(el, () => sendLabel(el), 'Reply', 'English override');
    } finally {
      registerTranslation(
        { $code: 'de', 'chat.send': 'Senden' },
        { $code: 'en', 'chat.send': en['chat.send'] },
      );
    }
  });
});

describe('<ag-chat-panel> right to left', () => {
  afterEach(() => {
    fixtureCleanup();
    restoreDocumentLang();
  });

  /** The composer's geometry: the send button and the textarea side by side. */
  function composer(el: AgChatPanel) {
    return {
      button: $(el, '[part="send-button"]')!.getBoundingClientRect(),
      input: $(el, 'textarea')!.getBoundingClientRect(),
    };
  }

  it('a registered rtl language: dir reflected, text rtl, the layout mirrored', async () => {
    registerTranslation({ $code: 'he', $name: 'עברית', $dir: 'rtl', 'chat.send': 'שליחה' });
    html0.setAttribute('lang', 'en');
    const wrapper = fixtureSync<HTMLElement>(html`<div lang="he" style="width: 480px">
      <ag-chat-panel
        interaction-id="ix-1"
        interactions-url="http://interactions.invalid"
        credentials-timeout-ms="600000"
      ></ag-chat-panel>
    </div>`);
    const el = wrapper.querySelector<AgChatPanel>('ag-chat-panel')!;
    await until(el, () => sendLabel(el), 'שליחה', 'Hebrew');
    expect(el.getAttribute('dir')).to.equal('rtl');
    expect(getComputedStyle($(el, '[part="composer"]')!).direction).to.equal('rtl');
    const rtl = composer(el);
    expect(rtl.button.right, 'send button left of the input').to.be.at.most(rtl.input.left + 0.5);
    // untranslated strings come from English, still laid out right to left
    expect(textOf(el, 'label[for="message"]')).to.equal('Message');

    // back to a left-to-right language: the reflected dir follows, the layout turns back
    wrapper.setAttribute('lang', 'de');
    await until(el, () => sendLabel(el), 'Senden', 'German');
    expect(el.getAttribute('dir')).to.equal('ltr');
    const ltr = composer(el);
    expect(ltr.button.left, 'send button right of the input').to.be.at.least(ltr.input.right - 0.5);
  });

  it('an explicit dir="rtl" on an ancestor mirrors an English panel; a dir the page sets on the panel is kept', async () => {
    const wrapper = fixtureSync<HTMLElement>(html`<div dir="rtl" style="width: 480px">
      <ag-chat-panel
        interaction-id="ix-1"
        interactions-url="http://interactions.invalid"
        credentials-timeout-ms="600000"
      ></ag-chat-panel>
    </div>`);
    const el = wrapper.querySelector<AgChatPanel>('ag-chat-panel')!;
    await el.updateComplete;
    expect(sendLabel(el)).to.equal('Send');
    expect(el.getAttribute('dir')).to.equal('rtl');
    const rtl = composer(el);
    expect(rtl.button.right).to.be.at.most(rtl.input.left + 0.5);

    el.setAttribute('dir', 'ltr'); // the page's own choice on the element
    await waitUntil(() => getComputedStyle($(el, '[part="composer"]')!).direction === 'ltr');
    el.setAttribute('lang', 'ar'); // a right-to-left language does not override it
    await el.updateComplete;
    await new Promise((r) => setTimeout(r));
    await el.updateComplete;
    expect(el.getAttribute('dir')).to.equal('ltr');
  });
});
