import { expect, waitUntil } from '@open-wc/testing';
import { createElement, type ReactElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { flushSync } from 'react-dom';
import { AgChatPanel, AgSurveyTransfer } from '../../src/react/index.js';
import type { AgChatPanel as AgChatPanelElement } from '../../src/chat/chat-panel.js';
import type { AgSurveyTransfer as AgSurveyTransferElement } from '../../src/survey/survey-transfer.js';
import type { AgConnectionChangeEvent, AgMessageEvent } from '../../src/events.js';
import { chatOrigins, startMock, stopMock } from '../chat/helpers.js';
import type { MockBackend } from '../../src/mocks/index.js';

let root: Root | undefined;
let container: HTMLElement | undefined;

function render(node: ReactElement): HTMLElement {
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
  flushSync(() => root!.render(node));
  return container;
}

function unmount(): void {
  root?.unmount();
  container?.remove();
  root = container = undefined;
}

describe('agent-gadgets/react (React 19, @lit/react wrappers)', () => {
  let mock: MockBackend;
  beforeEach(async () => {
    mock = await startMock();
  });
  afterEach(async () => {
    unmount();
    await stopMock();
  });

  it('AgChatPanel sets properties (not attributes), connects and calls onAgMessage', async () => {
    const { interactionId } = await mock.interactions.startChat({ customerName: 'Dana' });
    const received: string[] = [];
    const tokenProvider = () => 'good-token';
    const host = render(
      createElement(AgChatPanel, {
        interactionId,
        interactionsUrl: mock.urls.interactions,
        allowedOrigins: chatOrigins(mock),
        agentId: 'agent1',
        agentName: 'Agent One',
        tokenProvider,
        onAgMessage: (e: AgMessageEvent) => received.push(e.detail.message.text),
      }),
    );
    const el = host.querySelector<AgChatPanelElement>('ag-chat-panel')!;
    expect(el, 'the wrapper renders the tag').to.exist;
    // a function can only arrive as a property: an attribute would be the string "() => …"
    expect(el.tokenProvider).to.equal(tokenProvider);
    expect(el.interactionId).to.equal(interactionId);
    await waitUntil(() => el.connectionState === 'connected', 'panel did not connect', {
      timeout: 20000,
    });
    await mock.customer.send(interactionId, 'hello from React');
    await waitUntil(() => received.includes('hello from React'), 'onAgMessage was not called', {
      timeout: 20000,
    });
  });

  it('AgSurveyTransfer sets properties and calls onAgConnectionChange', async () => {
    const states: string[] = [];
    const host = render(
      createElement(AgSurveyTransfer, {
        hostKind: 'standalone',
        pcsNodes: Object.values(mock.urls.pcs).join(' '),
        token: 'agent1-token',
        onAgConnectionChange: (e: AgConnectionChangeEvent) => states.push(e.detail.state),
      }),
    );
    const el = host.querySelector<AgSurveyTransferElement>('ag-survey-transfer')!;
    expect(el.hostKind).to.equal('standalone');
    expect(el.hasAttribute('token'), 'the token is a property only').to.equal(false);
    await waitUntil(() => states.includes('connected'), 'onAgConnectionChange: no connected', {
      timeout: 20000,
    });
    expect(el.connectionState).to.equal('connected');
  });

  it('React 19 wires on<event> props on the bare tag, as the JSX types declare', async () => {
    const { interactionId } = await mock.interactions.startChat({ customerName: 'Dana' });
    const states: string[] = [];
    const host = render(
      createElement('ag-chat-panel', {
        interactionId,
        interactionsUrl: mock.urls.interactions,
        allowedOrigins: chatOrigins(mock),
        agentId: 'agent1',
        token: 'good-token',
        'onag-connection-change': (e: Event & { detail: { state: string } }) =>
          states.push(e.detail.state),
      }),
    );
    const el = host.querySelector<AgChatPanelElement>('ag-chat-panel')!;
    expect(el.token, 'a property, not an attribute').to.equal('good-token');
    expect(el.hasAttribute('token')).to.equal(false);
    await waitUntil(() => states.includes('connected'), 'no ag-connection-change to connected', {
      timeout: 20000,
    });
  });
});
