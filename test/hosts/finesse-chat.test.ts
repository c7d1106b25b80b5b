// FinesseChatSource and finesseTokenProvider against the faithful fake container / finesse.js.
import { expect, waitUntil } from '@open-wc/testing';
import { firstValueFrom, filter } from 'rxjs';
import {
  MOCK_TOKEN_URL,
  installFakeFinesse,
  type FakeFinesse,
} from '../../src/mocks/finesse/index.js';
import { FinesseChatSource } from '../../src/hosts/finesse-chat.js';
import { FinesseHost } from '../../src/hosts/finesse-host.js';
import { finesseTokenProvider } from '../../src/hosts/finesse-token.js';
import { HostActionError } from '../../src/hosts/host.js';

describe('FinesseChatSource (fake finesse.js)', () => {
  let fake: FakeFinesse | undefined;
  let source: FinesseChatSource | undefined;
  let host: FinesseHost | undefined;

  afterEach(() => {
    source?.dispose();
    host?.dispose();
    fake?.uninstall();
    source = host = fake = undefined;
  });

  it('follows the newest live chat task, back to the previous one, then null', async () => {
    fake = installFakeFinesse({ hub: 'manual' });
    const before = fake.startChatTask({ interactionId: 'ix-0' });
    source = new FinesseChatSource();
    // shares the page with a FinesseHost: one ClientServices init
    host = new FinesseHost();
    host.start();
    const seen: (string | null)[] = [];
    source.interactionId$.subscribe((id) => seen.push(id));
    fake.connectHub();
    await waitUntil(() => seen.at(-1) === 'ix-0', 'the chat that was there already');
    const next = fake.startChatTask({ interactionId: 'ix-1' });
    await waitUntil(() => seen.at(-1) === 'ix-1', 'follows the new chat');
    fake.startChatTask({ mediaProperties: { other: 'x' } }); // no interaction id: ignored
    fake.endChatTask(next.dialogId);
    await waitUntil(() => seen.at(-1) === 'ix-0', 'back to the one still open');
    fake.endChatTask(before.dialogId);
    await waitUntil(() => seen.at(-1) === null, 'no chat');
    expect(seen).to.deep.equal([null, 'ix-0', 'ix-1', 'ix-0', null]);
    expect(fake.clientServices()).to.deep.equal({ inits: 1, subscribed: true });
    // the host does not mistake chats for calls
    expect(await firstValueFrom(host.call$)).to.equal(null);
  });

  it('before 12.0 (no media API) stays null', async () => {
    fake = installFakeFinesse({ version: '11.6' });
    source = new FinesseChatSource();
    const host2 = new FinesseHost();
    host2.start();
    host = host2;
    await firstValueFrom(host2.connection$.pipe(filter(Boolean)));
    fake.startChatTask({ interactionId: 'ix-1' });
    await new Promise((r) => setTimeout(r, 200));
    expect(await firstValueFrom(source.interactionId$)).to.equal(null);
  });
});

describe('finesseTokenProvider (fake container)', () => {
  let fake: FakeFinesse | undefined;
  afterEach(() => {
    fake?.uninstall();
    fake = undefined;
  });

  it("asks the endpoint with the agent's authorization, caches until near expiry, reports refusals", async () => {
    fake = installFakeFinesse({ version: '10.5' });
    let clock = 1_000_000;
    const provide = finesseTokenProvider(MOCK_TOKEN_URL, { now: () => clock });
    const first = await provide();
    expect(first).to.match(/^finesse-agent1-\d+$/);
    expect(await provide()).to.equal(first);
    expect(fake.tokenRequests()).to.have.length(1);
    expect(fake.tokenRequests()[0]).to.include({ method: 'POST', authorized: true });
    clock += 271_000; // 300 s token, renewed 30 s early
    const second = await provide();
    expect(second).to.not.equal(first);
    clock += 300_000;
    fake.failNextToken(503);
    try {
      await provide();
      throw new Error('expected a rejection');
    } catch (e) {
      expect(e).to.be.instanceOf(HostActionError);
      expect((e as HostActionError).status).to.equal(503);
    }
    expect(fake.tokenRequests().every((r) => !/token=/.test(r.url))).to.equal(true);
  });
});
