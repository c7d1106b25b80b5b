// The Finesse gadget specs: structure, and their start-up script run against the fake Finesse
// (parameters from the gadget URL's query string or from gadget prefs, then adjustHeight).
import { expect, waitUntil } from '@open-wc/testing';
import { installFakeFinesse, type FakeFinesse } from '../../src/mocks/finesse/index.js';
import { runGadgetSpec, type RunningGadget } from '../gadgets/finesse-container.js';

/** Names Finesse itself gives gadget prefs: a layout parameter must not reuse one. */
const FINESSE_PREFS = [
  'scheme',
  'host',
  'hostPort',
  'id',
  'authorization',
  'restHost',
  'extension',
  'locale',
  'language',
  'country',
  'xmppDomain',
  'pubsubDomain',
  'localhostFQDN',
  'localhostPort',
];

// Stand-ins for the real elements: this test is about the gadget page, not the elements.
for (const tag of ['ag-survey-transfer', 'ag-chat-panel']) {
  if (!customElements.get(tag)) customElements.define(tag, class extends HTMLElement {});
}

async function loadSpec(
  name: string,
): Promise<{ doc: Document; content: Document; script: string }> {
  const res = await fetch(`/gadgets/${name}`);
  expect(res.ok, `${name} is served`).to.be.true;
  const doc = new DOMParser().parseFromString(await res.text(), 'application/xml');
  expect(doc.querySelector('parsererror'), 'well-formed XML').to.equal(null);
  const cdata = doc.querySelector('Content')!.textContent!;
  const content = new DOMParser().parseFromString(cdata, 'text/html');
  const inline = [...content.querySelectorAll('script:not([src])')]
    .map((s) => s.textContent ?? '')
    .join('\n');
  return { doc, content, script: inline };
}

function checkStructure(doc: Document, content: Document, bundle: string): void {
  const features = [...doc.querySelectorAll('ModulePrefs > Require')].map((r) =>
    r.getAttribute('feature'),
  );
  expect(features).to.include.members([
    'settitle',
    'dynamic-height',
    'pubsub-2',
    'setprefs',
    'loadingindicator',
  ]);
  expect(doc.querySelector('ModulePrefs')!.getAttribute('title'))
    .to.be.a('string')
    .and.not.equal('');
  const hidden = [...doc.querySelectorAll('UserPref')]
    .filter((p) => p.getAttribute('datatype') === 'hidden')
    .map((p) => p.getAttribute('name'));
  expect(hidden).to.include.members(['scheme', 'host', 'hostPort']);
  expect(doc.querySelector('Content')!.getAttribute('type')).to.equal('html');
  // Cisco's spelling of the loading indicator's parameters, and a declared locale
  const params = [...doc.querySelectorAll('Require[feature="loadingindicator"] > Param')].map((p) =>
    p.getAttribute('name'),
  );
  expect(params).to.have.members(['manual-dismiss', 'loading-timeout']);
  expect(doc.querySelector('ModulePrefs > Locale')?.getAttribute('lang')).to.equal('en');
  // the element is inert (in a template) until the hub connected
  expect(content.querySelector('template[id$="-template"]')).to.not.equal(null);
  // layout parameters the start-up script reads never shadow Finesse's own prefs
  for (const s of content.querySelectorAll('script:not([src])'))
    for (const [, name] of (s.textContent ?? '').matchAll(/param\('([\w-]+)'/g))
      expect(FINESSE_PREFS, `layout parameter ${name}`).to.not.include(name);
  const scripts = [...content.querySelectorAll('script[src]')].map((s) => s.getAttribute('src'));
  expect(scripts).to.deep.equal([
    '/desktop/assets/js/jquery.min.js',
    '/desktop/assets/js/finesse.js',
    bundle,
  ]);
}

describe('Finesse gadget specs', () => {
  let fake: FakeFinesse | undefined;
  let gadget: RunningGadget<HTMLElement> | undefined;

  afterEach(() => {
    gadget?.remove();
    gadget = undefined;
    fake?.uninstall();
    fake = undefined;
  });

  it('AgentGadgetsSurvey.xml: structure, parameters from gadget prefs, adjustHeight once defined', async () => {
    const { doc, content } = await loadSpec('AgentGadgetsSurvey.xml');
    checkStructure(doc, content, 'bundles/ag-survey-transfer.js');
    expect(content.querySelector('template')!.innerHTML).to.contain(
      '<ag-survey-transfer id="ag-survey">',
    );

    fake = installFakeFinesse({
      hub: 'manual',
      // a layout `host` is Finesse's own pref: it cannot choose the host kind
      prefs: {
        pcs: 'https://pcs-a.example.com,https://pcs-b.example.com',
        mode: 'hangup',
        host: 'standalone',
      },
    });
    gadget = await runGadgetSpec(
      'AgentGadgetsSurvey.xml',
      '/g/AgentGadgetsSurvey.xml',
      'ag-survey-transfer',
    );
    const el = gadget.el;
    expect(el.getAttribute('pcs-nodes')).to.equal(
      'https://pcs-a.example.com https://pcs-b.example.com',
    );
    expect(el.getAttribute('mode')).to.equal('hangup');
    expect(el.getAttribute('agent-id')).to.equal('agent1');
    expect(el.hasAttribute('host')).to.equal(false);
    await waitUntil(() => fake!.heights().calls > 0, 'adjustHeight called');
  });

  it('AgentGadgetsSurvey.xml: the gadget URL query string wins over prefs; host-kind picks the host', async () => {
    fake = installFakeFinesse({
      hub: 'manual',
      prefs: { pcs: 'https://from-prefs.example.com', mode: 'hangup' },
    });
    gadget = await runGadgetSpec(
      'AgentGadgetsSurvey.xml',
      '/3rdpartygadget/files/agent-gadgets/AgentGadgetsSurvey.xml?mode=transfer&pcs=https://vip.example.com&host-kind=finesse',
      'ag-survey-transfer',
    );
    expect(gadget.el.getAttribute('pcs-nodes')).to.equal('https://vip.example.com');
    expect(gadget.el.getAttribute('mode')).to.equal('transfer');
    expect(gadget.el.getAttribute('host')).to.equal('finesse');
  });

  it('AgentGadgetsSurvey.xml on 10.5: the start-up script builds finesse.gadget.Config from the prefs', async () => {
    fake = installFakeFinesse({ hub: 'manual', version: '10.5' });
    const fin = () =>
      (
        globalThis as unknown as {
          finesse: {
            gadget: { Config?: Record<string, unknown> };
            container: { Config?: unknown };
          };
        }
      ).finesse;
    expect(fin().gadget.Config).to.equal(undefined);
    gadget = await runGadgetSpec(
      'AgentGadgetsSurvey.xml',
      '/g/AgentGadgetsSurvey.xml',
      'ag-survey-transfer',
    );
    expect(fin().gadget.Config).to.include({
      id: 'agent1',
      host: 'finesse.mock.test',
      restHost: 'finesse.mock.test',
    });
    expect(fin().container.Config).to.equal(fin().gadget.Config);
    expect(gadget.el.getAttribute('agent-id')).to.equal('agent1');
  });

  it('AgentGadgetsChat.xml: structure and parameters', async () => {
    const { doc, content } = await loadSpec('AgentGadgetsChat.xml');
    checkStructure(doc, content, 'bundles/ag-chat-panel.js');
    fake = installFakeFinesse({
      hub: 'manual',
      prefs: {
        interactions: 'https://ixn-a.example.com https://ixn-b.example.com',
        allowed: 'https://chat.example.com',
      },
    });
    gadget = await runGadgetSpec(
      'AgentGadgetsChat.xml',
      '/g/AgentGadgetsChat.xml',
      'ag-chat-panel',
    );
    const el = gadget.el;
    expect(el.getAttribute('interactions-url')).to.equal(
      'https://ixn-a.example.com https://ixn-b.example.com',
    );
    expect(el.getAttribute('allowed-origins')).to.equal('https://chat.example.com');
    expect(el.getAttribute('agent-id')).to.equal('agent1');
  });

  it('desktop-layout-snippet.xml: a Finesse layout with the survey gadget in hangup mode', async () => {
    const res = await fetch('/gadgets/desktop-layout-snippet.xml');
    const doc = new DOMParser().parseFromString(await res.text(), 'application/xml');
    expect(doc.querySelector('parsererror')).to.equal(null);
    expect(doc.documentElement.localName).to.equal('finesseLayout');
    expect(doc.documentElement.namespaceURI).to.equal('http://www.cisco.com/vtg/finesse');
    const gadgets = [...doc.getElementsByTagName('gadget')].map((g) => g.textContent!.trim());
    const survey = gadgets.find((g) =>
      g.startsWith('/3rdpartygadget/files/agent-gadgets/AgentGadgetsSurvey.xml?'),
    )!;
    expect(survey).to.be.a('string');
    const params = new URL(survey, 'https://finesse.example.com').searchParams;
    expect(params.get('mode')).to.equal('hangup');
    expect(params.get('pcs')).to.match(/^https:\/\//);
    expect(
      gadgets.some((g) => g.startsWith('/3rdpartygadget/files/agent-gadgets/AgentGadgetsChat.xml')),
    ).to.be.true;
  });
});
