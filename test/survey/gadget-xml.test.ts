// The Finesse gadget specs: structure, and their start-up script run against the fake Finesse
// (parameters from the gadget URL's query string or from gadget prefs, then adjustHeight).
import { expect, waitUntil } from '@open-wc/testing';
import { installFakeFinesse, type FakeFinesse } from '../../src/mocks/finesse/index.js';

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
  const scripts = [...content.querySelectorAll('script[src]')].map((s) => s.getAttribute('src'));
  expect(scripts).to.deep.equal([
    '/desktop/assets/js/jquery.min.js',
    '/desktop/assets/js/finesse.js',
    bundle,
  ]);
}

/** Runs the gadget's inline start-up script as Finesse would, with `el` in the page. */
function runGadget(script: string, el: HTMLElement): void {
  document.body.append(el);
  new Function(script)();
}

describe('Finesse gadget specs', () => {
  let fake: FakeFinesse | undefined;
  const els: HTMLElement[] = [];
  const search = window.location.search;

  afterEach(() => {
    fake?.uninstall();
    fake = undefined;
    for (const el of els.splice(0)) el.remove();
    history.replaceState(null, '', `${window.location.pathname}${search}`);
  });

  it('AgentGadgetsSurvey.xml: structure, parameters from gadget prefs, adjustHeight once defined', async () => {
    const { doc, content, script } = await loadSpec('AgentGadgetsSurvey.xml');
    checkStructure(doc, content, 'bundles/ag-survey-transfer.js');
    expect(content.querySelector('ag-survey-transfer#ag-survey')).to.not.equal(null);

    fake = installFakeFinesse({
      prefs: { pcs: 'https://pcs-a.example.com,https://pcs-b.example.com', mode: 'hangup' },
    });
    const el = document.createElement('ag-survey-transfer');
    el.id = 'ag-survey';
    els.push(el);
    runGadget(script, el);
    await waitUntil(() => el.hasAttribute('pcs-nodes'), 'started from HubSettings.onConnect');
    expect(el.getAttribute('pcs-nodes')).to.equal(
      'https://pcs-a.example.com https://pcs-b.example.com',
    );
    expect(el.getAttribute('mode')).to.equal('hangup');
    expect(el.getAttribute('agent-id')).to.equal('agent1');
    await waitUntil(() => fake!.heights().calls > 0, 'adjustHeight called');
  });

  it('AgentGadgetsSurvey.xml: the gadget URL query string wins over prefs', async () => {
    const { script } = await loadSpec('AgentGadgetsSurvey.xml');
    fake = installFakeFinesse({ prefs: { pcs: 'https://from-prefs.example.com', mode: 'hangup' } });
    const spec =
      '/3rdpartygadget/files/agent-gadgets/AgentGadgetsSurvey.xml?mode=transfer&pcs=https://vip.example.com';
    history.replaceState(null, '', `${window.location.pathname}?url=${encodeURIComponent(spec)}`);
    const el = document.createElement('ag-survey-transfer');
    el.id = 'ag-survey';
    els.push(el);
    runGadget(script, el);
    await waitUntil(() => el.hasAttribute('pcs-nodes'), 'started');
    expect(el.getAttribute('pcs-nodes')).to.equal('https://vip.example.com');
    expect(el.getAttribute('mode')).to.equal('transfer');
  });

  it('AgentGadgetsChat.xml: structure and parameters', async () => {
    const { doc, content, script } = await loadSpec('AgentGadgetsChat.xml');
    checkStructure(doc, content, 'bundles/ag-chat-panel.js');
    fake = installFakeFinesse({
      prefs: {
        interactions: 'https://ixn-a.example.com https://ixn-b.example.com',
        allowed: 'https://chat.example.com',
      },
    });
    const el = document.createElement('ag-chat-panel');
    el.id = 'ag-chat';
    els.push(el);
    runGadget(script, el);
    await waitUntil(() => el.hasAttribute('interactions-url'), 'started');
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
