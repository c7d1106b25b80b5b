// The survey gadget as Finesse runs it: the spec's start-up script, the real element, the fake
// finesse.js and the mocked PCS — parameters from the layout URL, hangup mode end to end.
import { expect, waitUntil } from '@open-wc/testing';
import type { MockBackend } from '../../src/mocks/index.js';
import '../../src/define/survey-transfer.js';
import type { AgSurveyTransfer } from '../../src/survey/survey-transfer.js';
import { button, ready, startMock, stopMock, text } from './helpers.js';

async function gadgetScript(): Promise<string> {
  const xml = await (await fetch('/gadgets/AgentGadgetsSurvey.xml')).text();
  const spec = new DOMParser().parseFromString(xml, 'application/xml');
  const content = new DOMParser().parseFromString(
    spec.querySelector('Content')!.textContent!,
    'text/html',
  );
  return [...content.querySelectorAll('script:not([src])')]
    .map((s) => s.textContent ?? '')
    .join('\n');
}

describe('AgentGadgetsSurvey.xml in the fake Finesse', () => {
  let mock: MockBackend | undefined;
  let el: AgSurveyTransfer | undefined;
  const page = `${window.location.pathname}${window.location.search}`;

  afterEach(async () => {
    el?.remove();
    el = undefined;
    history.replaceState(null, '', page);
    await stopMock(mock);
    mock = undefined;
  });

  it('starts from the layout URL and runs a hangup survey to its score', async () => {
    mock = await startMock();
    const pcs = Object.values(mock.urls.pcs).join(',');
    const layoutUrl = `/3rdpartygadget/files/agent-gadgets/AgentGadgetsSurvey.xml?mode=hangup&pcs=${pcs}`;
    history.replaceState(
      null,
      '',
      `${window.location.pathname}?url=${encodeURIComponent(layoutUrl)}`,
    );

    el = document.createElement('ag-survey-transfer');
    el.id = 'ag-survey';
    // the desktop, not the layout URL, provides credentials
    el.tokenProvider = () => 'desktop-token';
    document.body.append(el);
    new Function(await gadgetScript())();

    const { dialogId } = mock.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    await waitUntil(() => el!.getAttribute('mode') === 'hangup', 'configured by the gadget script');
    expect(el.getAttribute('pcs-nodes')).to.equal(Object.values(mock.urls.pcs).join(' '));
    expect(el.getAttribute('agent-id')).to.equal('agent1');
    await ready(el);
    button(el).click();
    await waitUntil(() => el!.surveyStatus === 'armed', 'armed', { timeout: 8000 });
    expect(mock.finesse.dialog(dialogId)!.callVariables['user.microapp.isPostCallSurvey']).to.equal(
      'y',
    );
    mock.finesse.endCall(dialogId);
    await waitUntil(() => el!.surveyStatus === 'completed', 'completed', { timeout: 8000 });
    expect(text(el, 'status')).to.match(/^Survey completed, score \d+$/);
    expect(mock.pcs.requests()[0]!.agentId).to.equal('agent1');
  });
});
