// <ag-survey-transfer> localized, end to end through the fake Finesse and the mocked PCS: the
// rendered strings in de/es/fr, the agent's Finesse locale as the language, reasons, the score
// through Intl, and a right-to-left layout.
// fixtureSync for plain wrappers: fixture() waits a requestAnimationFrame for a non-Lit root.
import { expect, fixture, fixtureSync, html, oneEvent, waitUntil } from '@open-wc/testing';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { MockBackend } from '../../src/mocks/index.js';
import { registerTranslation } from '../../src/i18n/registry.js';
import type { AgSurveyTransfer } from '../../src/survey/survey-transfer.js';
import { button, part, startMock, stopMock, text } from '../survey/helpers.js';

function mountIn(
  mock: MockBackend,
  o: { lang?: string; mode?: 'transfer' | 'hangup' } = {},
): Promise<AgSurveyTransfer> {
  return fixture<AgSurveyTransfer>(html`<ag-survey-transfer
    lang=${ifDefined(o.lang)}
    mode=${o.mode ?? 'transfer'}
    pcs-nodes=${Object.values(mock.urls.pcs).join(' ')}
    poll-ms="150"
    host="finesse"
    .token=${'agent1-token'}
  ></ag-survey-transfer>`);
}

async function until(read: () => string, want: string | RegExp, what: string): Promise<void> {
  const ok = () => (typeof want === 'string' ? read() === want : want.test(read()));
  try {
    await waitUntil(ok, what, { timeout: 10000 });
  } catch {
    throw new Error(`${what}: still "${read()}"`);
  }
}

/** The survey is shown and the button can be pressed (what helpers.ready waits for). */
const ready = (el: AgSurveyTransfer) =>
  until(
    () => (text(el, 'survey-name') && !button(el).disabled ? 'ready' : text(el, 'reason')),
    'ready',
    'survey ready',
  );

const cases = [
  {
    lang: 'de',
    title: 'Umfrage nach dem Anruf',
    action: 'Zur Umfrage weiterleiten',
    channel: 'Kanal',
    channels: ['IVR', 'SMS'],
    language: 'Sprache',
    english: 'Englisch (en)',
    connected: /^PCS verbunden \(.+\)$/,
    completed: /^Umfrage abgeschlossen, Bewertung \d$/,
  },
  {
    lang: 'es',
    title: 'Encuesta posterior a la llamada',
    action: 'Transferir a la encuesta',
    channel: 'Canal',
    channels: ['IVR', 'SMS'],
    language: 'Idioma',
    english: 'inglés (en)',
    connected: /^PCS conectado \(.+\)$/,
    completed: /^Encuesta completada, puntuación \d$/,
  },
  {
    lang: 'fr',
    title: 'Enquête après l’appel',
    action: 'Transférer vers l’enquête',
    channel: 'Canal',
    channels: ['SVI', 'SMS'],
    language: 'Langue',
    english: 'anglais (en)',
    connected: /^PCS connecté \(.+\)$/,
    completed: /^Enquête terminée, note \d$/,
  },
];

describe('<ag-survey-transfer> in German, Spanish and French (fake Finesse, mocked PCS)', () => {
  let mock: MockBackend;
  beforeEach(async () => {
    mock = await startMock();
  });
  afterEach(() => stopMock(mock));

  for (const c of cases) {
    it(`lang="${c.lang}": title, form, connection line and the completed status are ${c.lang}`, async () => {
      mock.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
      const el = await mountIn(mock, { lang: c.lang });
      await ready(el);
      await until(() => text(el, 'action'), c.action, 'action button');
      expect(el.shadowRoot!.querySelector('h2')!.textContent).to.equal(c.title);
      expect(text(el, 'connection')).to.match(c.connected);
      expect(el.shadowRoot!.querySelector('legend')!.textContent).to.equal(c.channel);
      const channels = [...el.shadowRoot!.querySelectorAll('[part="channel"] label')];
      expect(channels.map((l) => l.textContent!.trim())).to.deep.equal(c.channels);
      expect(el.shadowRoot!.querySelector('label[for="language"]')!.textContent).to.equal(
        c.language,
      );
      // the survey's languages named in the gadget's language (Intl.DisplayNames)
      const options = [...el.shadowRoot!.querySelectorAll('option')].map((o) =>
        o.textContent!.trim(),
      );
      expect(options[0]).to.equal(c.english);
      await expect(el).to.be.accessible();

      button(el).click();
      await waitUntil(() => el.surveyStatus === 'completed', 'survey completed', {
        timeout: 10000,
      });
      await until(() => text(el, 'status'), c.completed, 'completed status with score');
    });
  }

  it('the reasons the action is disabled and the hang-up label are translated', async () => {
    const el = await mountIn(mock, { lang: 'de', mode: 'hangup' });
    await until(() => text(el, 'reason'), 'Kein Anruf', 'no call, German');
    expect(text(el, 'action')).to.equal('Umfrage nach dem Auflegen abspielen');
    el.setAttribute('lang', 'es');
    await until(() => text(el, 'reason'), 'No hay llamada', 'no call, Spanish');
    mock.finesse.startCall({ ani: '5551234567', dialedNumber: '8001' });
    await until(() => text(el, 'reason'), 'No hay encuesta para 8001', 'no survey, Spanish');
    el.setAttribute('lang', 'fr');
    await until(() => text(el, 'reason'), 'Aucune enquête pour 8001', 'no survey, French');
  });

  it("why PCS is not usable is translated; the failure's own words are the reason's title", async () => {
    mock.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    const refused = await fixture<AgSurveyTransfer>(html`<ag-survey-transfer
      lang="de"
      pcs-nodes=${Object.values(mock.urls.pcs).join(' ')}
      host="finesse"
      .token=${'bad-token'}
    ></ag-survey-transfer>`);
    await until(() => text(refused, 'reason'), 'PCS: Anmeldung abgelehnt', 'refused, German');
    expect(part(refused, 'reason')!.title).to.match(/credentials/);

    const unset = await fixture<AgSurveyTransfer>(html`<ag-survey-transfer
      lang="fr"
      pcs-nodes="pcs-a.mock.test"
      host="finesse"
      .token=${'agent1-token'}
    ></ag-survey-transfer>`);
    await until(
      () => text(unset, 'reason'),
      'Le gadget n’est pas correctement configuré',
      'not set up, French',
    );
    expect(part(unset, 'reason')!.title).to.match(/pcs-nodes/);
  });

  it("Finesse unable to load the agent: the reason is translated, Finesse's words its title", async () => {
    const g = globalThis as unknown as { finesse: { gadget: { Config: { id: string } } } };
    g.finesse.gadget.Config.id = 'someone-else';
    const el = await mountIn(mock, { lang: 'es' });
    await until(() => text(el, 'reason'), 'No se pueden leer las llamadas', 'no agent, Spanish');
    expect(part(el, 'reason')!.title).to.equal(
      'Finesse could not load the agent: No user someone-else',
    );
  });

  it("the SDK's own failure is translated (German SMS number hint and error); the SMS labels too", async () => {
    mock.finesse.startCall({ ani: '12345', dialedNumber: '8000' });
    const el = await mountIn(mock, { lang: 'de', mode: 'hangup' });
    await ready(el);
    el.shadowRoot!.querySelector<HTMLInputElement>('input[type="radio"][value="sms"]')!.click();
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('label[for="sms"]')!.textContent).to.equal(
      'Mobilnummer des Anrufers',
    );
    expect(text(el, 'hint')).to.equal('10 bis 15 Ziffern, optional mit + am Anfang');
    const failed = oneEvent(el, 'ag-error');
    button(el).click();
    expect((await failed).detail.code).to.equal('invalid-sms-number');
    await until(
      () => text(el, 'error'),
      'Mobilnummer des Anrufers für die SMS-Umfrage eingeben: 10 bis 15 Ziffern',
      'German error',
    );
    expect(part(el, 'error')!.getAttribute('data-code')).to.equal('invalid-sms-number');
  });
});

describe("<ag-survey-transfer> in the Finesse agent's locale", () => {
  let mock: MockBackend;
  afterEach(() => stopMock(mock));

  it('the agent locale es_ES is the language when no lang is set; a lang on an ancestor wins', async () => {
    const saved = document.documentElement.getAttribute('lang');
    document.documentElement.setAttribute('lang', 'en');
    try {
      mock = await startMock({ finesse: { locale: 'es_ES' } });
      mock.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
      const el = await mountIn(mock);
      await ready(el);
      await until(() => text(el, 'action'), 'Transferir a la encuesta', 'Spanish from Finesse');
      expect(el.getAttribute('lang')).to.equal('es-ES');
      expect(el.shadowRoot!.querySelector('h2')!.textContent).to.equal(
        'Encuesta posterior a la llamada',
      );
      const wrapper = fixtureSync<HTMLElement>(html`<div lang="de"></div>`);
      wrapper.append(el);
      await until(() => text(el, 'action'), 'Zur Umfrage weiterleiten', 'ancestor German');
      expect(el.getAttribute('lang'), 'the locale it reflected is withdrawn').to.equal(null);
    } finally {
      if (saved === null) document.documentElement.removeAttribute('lang');
      else document.documentElement.setAttribute('lang', saved);
    }
  });
});

describe('<ag-survey-transfer> right to left', () => {
  let mock: MockBackend;
  beforeEach(async () => {
    mock = await startMock();
  });
  afterEach(() => stopMock(mock));

  it('Arabic: dir reflected, the action button and title start at the right', async () => {
    registerTranslation({
      $code: 'ar',
      $name: 'العربية',
      $dir: 'rtl',
      'survey.title': 'استطلاع ما بعد المكالمة',
      'survey.action.transfer': 'التحويل إلى الاستطلاع',
    });
    mock.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    const wrapper = fixtureSync<HTMLElement>(html`<div lang="ar" style="width: 600px">
      <ag-survey-transfer
        pcs-nodes=${Object.values(mock.urls.pcs).join(' ')}
        poll-ms="150"
        host="finesse"
        .token=${'agent1-token'}
      ></ag-survey-transfer>
    </div>`);
    const el = wrapper.querySelector<AgSurveyTransfer>('ag-survey-transfer')!;
    await ready(el);
    await until(() => text(el, 'action'), 'التحويل إلى الاستطلاع', 'Arabic');
    expect(el.getAttribute('dir')).to.equal('rtl');
    const form = part(el, 'form')!.getBoundingClientRect();
    const action = part(el, 'action')!.getBoundingClientRect();
    const title = el.shadowRoot!.querySelector('h2')!.getBoundingClientRect();
    const base = part(el, 'base')!.getBoundingClientRect();
    expect(action.right, 'button at the inline start: the right').to.be.closeTo(form.right, 1);
    expect(action.left).to.be.greaterThan(form.left + 1);
    expect(title.right, 'title at the right').to.be.closeTo(base.right, 1);
  });
});
