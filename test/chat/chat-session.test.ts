// The DOM-free session client on its own: what an integrator without the element would use.
import { expect, waitUntil } from '@open-wc/testing';
import { firstValueFrom, filter, lastValueFrom, toArray } from 'rxjs';
import { ChatSession, type ChatView, type RelocationInfo } from '../../src/chat/chat-session.js';
import type { MockBackend } from '../../src/mocks/index.js';
import { agentId, essence, startMock, stopMock } from './helpers.js';

describe('ChatSession', () => {
  let mock: MockBackend;
  let session: ChatSession | undefined;
  beforeEach(async () => {
    mock = await startMock({ restoreDelayMs: 200 });
  });
  afterEach(async () => {
    session?.dispose();
    session = undefined;
    await stopMock();
  });

  const connected = (s: ChatSession) =>
    firstValueFrom(s.view$.pipe(filter((v: ChatView) => v.status.state === 'connected')));

  it('holds sends while the instance is down, delivers them once after the restore, and disposes cleanly', async () => {
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    session = new ChatSession({
      interactionId,
      interactionsUrls: [mock.urls.interactions],
      allowedOrigins: Object.values(mock.urls.chat),
      agentId,
      token: () => 'session-token',
      heartbeatMs: 500,
    });
    const relocations: RelocationInfo[] = [];
    session.relocated$.subscribe((r) => relocations.push(r));
    const ended = lastValueFrom(session.view$.pipe(toArray()));
    session.start();
    await connected(session);
    session.send('first');
    await waitUntil(() => mock.chat.transcript(interactionId).length === 1);

    mock.chat.kill('chat-1');
    await waitUntil(() => session!.view.status.state === 'reconnecting', 'kill not noticed');
    session.send('second');
    session.send('third');
    expect(session.view.pending.map((p) => p.text)).to.deep.equal(['second', 'third']);

    await waitUntil(
      () => session!.view.messages.length === 3 && session!.view.pending.length === 0,
      'held sends not delivered',
      {
        timeout: 8000,
      },
    );
    expect(session.view.messages.map((m) => m.text)).to.deep.equal(['first', 'second', 'third']);
    expect(session.view.messages.map(essence)).to.deep.equal(
      mock.chat.transcript(interactionId).map(essence),
    );
    expect([...session.view.delivered]).to.have.length(3);
    expect(relocations).to.have.length(1);
    expect(relocations[0]!.from).to.equal('chat-1');

    session.dispose();
    await waitUntil(() => mock.connections() === 0, 'dispose left a socket open');
    expect((await ended).length).to.be.greaterThan(0); // view$ completed
  });
});
