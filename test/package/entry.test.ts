// The library entry (`agent-gadgets`) gives classes without registering anything; the define
// modules register their element once, and importing one twice (two bundles on a page) is safe.
import { expect } from '@open-wc/testing';
import * as sdk from '../../src/index.js';

describe('package entry', () => {
  it('exports the elements, clients, hosts, core and protocol', () => {
    expect(sdk.AgChatPanel.prototype).to.be.instanceOf(HTMLElement);
    expect(sdk.AgSurveyTransfer.prototype).to.be.instanceOf(HTMLElement);
    for (const name of [
      'ChatSession',
      'ChatSessionController',
      'PcsClient',
      'FinesseHost',
      'StandaloneHost',
      'ResilientConnection',
      'PropertyStream',
      'Outbox',
      'AgErrorEvent',
      'AgRelocatedEvent',
    ] as const) {
      expect(sdk[name], name).to.be.a('function');
    }
    expect(sdk.ErrorCodes.RelocationRefused).to.equal('relocation-refused');
    expect(sdk.idempotencyKey('d1', 's1')).to.equal(sdk.idempotencyKey('d1', 's1'));
  });

  it('registers no element by itself', () => {
    expect(customElements.get('ag-chat-panel')).to.equal(undefined);
    expect(customElements.get('ag-survey-transfer')).to.equal(undefined);
  });

  it('the define modules register each element once, and a second import does not throw', async () => {
    await import('../../src/define/chat-panel.js');
    await import('../../src/define/survey-transfer.js');
    expect(customElements.get('ag-chat-panel')).to.equal(sdk.AgChatPanel);
    expect(customElements.get('ag-survey-transfer')).to.equal(sdk.AgSurveyTransfer);
    // a second copy of the module (as a second bundle on the page would be) runs its
    // registration again: it must keep the first registration and not throw
    const again = new URL('../../src/define/chat-panel.ts?second-copy', import.meta.url).href;
    await import(/* @vite-ignore */ again);
    expect(customElements.get('ag-chat-panel')).to.equal(sdk.AgChatPanel);
  });
});
