// FinesseHost against the fake finesse.js (shaped like the real one, quirks included).
import { expect, waitUntil } from '@open-wc/testing';
import { filter, firstValueFrom } from 'rxjs';
import { installFakeFinesse, type FakeFinesse } from '../../src/mocks/finesse/index.js';
import { FinesseHost } from '../../src/hosts/finesse-host.js';
import { HostActionError, type CallInfo } from '../../src/hosts/host.js';
import { detectHostKind } from '../../src/hosts/index.js';

function callWhere(
  host: FinesseHost,
  pred: (c: CallInfo | null) => boolean,
): Promise<CallInfo | null> {
  return firstValueFrom(host.call$.pipe(filter(pred)));
}

async function rejection(p: Promise<unknown>): Promise<HostActionError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(HostActionError);
    return e as HostActionError;
  }
  throw new Error('expected a rejection');
}

describe('FinesseHost (fake finesse.js)', () => {
  let fake: FakeFinesse | undefined;
  let host: FinesseHost | undefined;

  afterEach(() => {
    host?.dispose();
    fake?.uninstall();
    host = undefined;
    fake = undefined;
  });

  it('is detected when finesse.js is loaded, unless the host attribute says otherwise', () => {
    expect(detectHostKind(null)).to.equal('standalone');
    fake = installFakeFinesse();
    expect(detectHostKind(null)).to.equal('finesse');
    expect(detectHostKind('standalone')).to.equal('standalone');
  });

  it("reads an existing call from the agent's own leg, with the actions normalised to an array", async () => {
    fake = installFakeFinesse();
    const { dialogId } = fake.startCall({
      ani: '5551234567',
      dialedNumber: '8000',
      callVariables: { callVariable1: 'x' },
    });
    host = new FinesseHost();
    host.start();
    const call = (await callWhere(host, (c) => c !== null))!;
    expect(call.dialogId).to.equal(dialogId);
    expect(call.ani).to.equal('5551234567');
    expect(call.dialedNumber).to.equal('8000');
    expect(call.state).to.equal('ACTIVE');
    expect(call.actions).to.include.members(['TRANSFER_SST', 'UPDATE_CALL_DATA']);
    expect(call.callVariables).to.deep.equal({ callVariable1: 'x' });
    expect(host.agentId).to.equal('agent1');
  });

  it('normalises a single action string (ringing call) and follows state changes', async () => {
    fake = installFakeFinesse();
    host = new FinesseHost();
    host.start();
    await waitUntil(() => fake!.heights().calls > 0, 'gadget ready'); // makeActiveTabReq -> adjustHeight
    const { dialogId } = fake.startCall({
      ani: '5551234567',
      dialedNumber: '8000',
      state: 'ALERTING',
    });
    const ringing = (await callWhere(host, (c) => c?.dialogId === dialogId))!;
    expect(ringing.state).to.equal('ALERTING');
    expect(ringing.actions).to.deep.equal(['ANSWER']);
    fake.answer(dialogId);
    const active = (await callWhere(host, (c) => c?.state === 'ACTIVE'))!;
    expect(active.actions).to.include('TRANSFER_SST');
    fake.endCall(dialogId);
    expect(await callWhere(host, (c) => c === null)).to.equal(null);
  });

  for (const version of ['12.6', '11.6']) {
    it(`updates call variables (Finesse ${version}: ${version === '12.6' ? 'dialog.updateCallVariables' : 'PUT UPDATE_CALL_DATA XML'})`, async () => {
      fake = installFakeFinesse({ version });
      const { dialogId } = fake.startCall({ ani: '5551234567', dialedNumber: '8000' });
      const g = globalThis as unknown as {
        gadgets: { io: { makeRequest: (...a: unknown[]) => void } };
      };
      const original = g.gadgets.io.makeRequest;
      const puts: unknown[][] = [];
      g.gadgets.io.makeRequest = (...args: unknown[]) => {
        puts.push(args);
        original(...args);
      };
      host = new FinesseHost();
      host.start();
      await callWhere(host, (c) => c?.dialogId === dialogId);
      const vars = { callVariable3: 'a<b&c>"d\'', 'user.microapp.isPostCallSurvey': 'y' };
      await host.updateCallVariables(dialogId, vars);
      expect(fake.dialog(dialogId)!.callVariables).to.deep.equal(vars);
      const changed = (await callWhere(
        host,
        (c) => c?.callVariables['user.microapp.isPostCallSurvey'] === 'y',
      ))!;
      expect(changed.callVariables.callVariable3).to.equal(vars.callVariable3);
      if (version === '11.6') {
        expect(puts).to.have.length(1);
        const params = puts[0]![2] as Record<string, unknown>;
        expect(params.METHOD).to.equal('PUT');
        expect((params.HEADERS as Record<string, string>).Authorization).to.match(/^Basic /);
        expect(params.POST_DATA).to.contain('<requestedAction>UPDATE_CALL_DATA</requestedAction>');
        expect(params.POST_DATA).to.contain('a&lt;b&amp;c&gt;');
      } else {
        expect(puts).to.have.length(0);
      }

      // Finesse's refusal comes back as a typed error with Finesse's own words, on both paths
      fake.rejectNextCallVariables({
        status: 400,
        errorType: 'Invalid Input',
        errorMessage: 'Variable too long',
      });
      const e = await rejection(host.updateCallVariables(dialogId, { callVariable1: 'z' }));
      expect(e.code).to.equal('call-variables-rejected');
      expect(e.message).to.equal('Variable too long');
      expect(e.status).to.equal(400);
      expect(e.errorType).to.equal('Invalid Input');
    });
  }

  it("single-step transfer; a refused transfer carries Finesse's status, type and text", async () => {
    fake = installFakeFinesse();
    const { dialogId } = fake.startCall({ ani: '5551234567', dialedNumber: '8000' });
    host = new FinesseHost();
    host.start();
    await callWhere(host, (c) => c?.dialogId === dialogId);

    fake.rejectNextTransfer({
      status: 400,
      errorType: 'Invalid State',
      errorMessage: 'Call cannot be transferred now',
    });
    const e = await rejection(host.transfer(dialogId, '9100'));
    expect(e.code).to.equal('transfer-rejected');
    expect(e.message).to.equal('Call cannot be transferred now');
    expect(e.status).to.equal(400);
    expect(e.errorType).to.equal('Invalid State');

    await host.transfer(dialogId, '9100');
    expect(fake.transfers()).to.deep.equal([
      { dialogId, to: '9100', kind: 'sst', callVariables: {} },
    ]);
    expect(await callWhere(host, (c) => c === null)).to.equal(null);
  });

  it("reports when Finesse cannot load the agent (errors$), instead of showing 'no call' forever", async () => {
    fake = installFakeFinesse();
    const g = globalThis as unknown as { finesse: { gadget: { Config: { id: string } } } };
    g.finesse.gadget.Config.id = 'someone-else';
    host = new FinesseHost();
    const error = firstValueFrom(host.errors$);
    host.start();
    const e = await error;
    expect(e.code).to.equal('bad-config');
    expect(e.message).to.equal('Finesse could not load the agent: No user someone-else');
  });

  it('dispose rejects a request Finesse has not answered yet', async () => {
    fake = installFakeFinesse();
    const { dialogId } = fake.startCall({ ani: '5551234567', dialedNumber: '8000' });
    host = new FinesseHost();
    host.start();
    await callWhere(host, (c) => c?.dialogId === dialogId);
    const pending = host.updateCallVariables(dialogId, { callVariable1: 'x' });
    host.dispose();
    const e = await rejection(pending);
    expect(e.message).to.equal('The gadget was removed');
  });

  it('consult then transfer, as an option', async () => {
    fake = installFakeFinesse();
    const { dialogId } = fake.startCall({ ani: '5551234567', dialedNumber: '8000' });
    host = new FinesseHost();
    host.start();
    await callWhere(host, (c) => c?.dialogId === dialogId);
    await host.transfer(dialogId, '9100', { consult: true });
    expect(fake.transfers()).to.have.length(1);
    expect(fake.transfers()[0]).to.include({ dialogId, to: '9100', kind: 'consult' });
  });

  it('calls adjustHeight again whenever its tab becomes active (ACTIVE_TAB)', async () => {
    fake = installFakeFinesse();
    host = new FinesseHost();
    host.start();
    await waitUntil(() => fake!.heights().calls >= 1, 'first adjustHeight');
    const before = fake.heights().calls;
    fake.activateTab();
    expect(fake.heights().calls).to.equal(before + 1);
    host.dispose();
    fake.activateTab();
    expect(fake.heights().calls, 'no handler left after dispose').to.equal(before + 1);
  });

  it('Finesse failover: connection$ drops and recovers; actions are refused meanwhile; calls are reconciled', async () => {
    fake = installFakeFinesse();
    const first = fake.startCall({ ani: '5551234567', dialedNumber: '8000' }).dialogId;
    host = new FinesseHost();
    const states: boolean[] = [];
    host.connection$.subscribe((c) => states.push(c));
    host.start();
    await callWhere(host, (c) => c?.dialogId === first);
    await waitUntil(() => states[states.length - 1] === true, 'connected');

    fake.disconnect();
    expect(states[states.length - 1]).to.equal(false);
    const e = await rejection(host.transfer(first, '9100'));
    expect(e.code).to.equal('host-disconnected');
    // what happens during the failover produces no events...
    fake.endCall(first);
    const second = fake.startCall({ ani: '5557654321', dialedNumber: '8000' }).dialogId;
    fake.reconnect();
    // ...and is picked up on reconnect
    const call = (await callWhere(host, (c) => c?.dialogId === second))!;
    expect(call.ani).to.equal('5557654321');
    expect(states[states.length - 1]).to.equal(true);
  });

  it('touches nothing before the hub connected; two hosts on a page share one ClientServices init', async () => {
    fake = installFakeFinesse({ hub: 'manual', version: '10.5' });
    const { dialogId } = fake.startCall({ ani: '5551234567', dialedNumber: '8000' });
    host = new FinesseHost();
    host.start();
    const second = new FinesseHost();
    second.start();
    try {
      await new Promise((r) => setTimeout(r, 250));
      expect(fake.clientServices()).to.deep.equal({ inits: 0, subscribed: false });
      fake.connectHub();
      // 10.5: no finesse.gadget.Config, so the host builds it from the container's prefs
      expect((await callWhere(host, (c) => c !== null))!.dialogId).to.equal(dialogId);
      expect((await callWhere(second, (c) => c !== null))!.dialogId).to.equal(dialogId);
      expect(fake.clientServices()).to.deep.equal({ inits: 1, subscribed: true });
      expect(host.agentId).to.equal('agent1');
      // both hear the connection (finesse.js keeps one handler: the page fans it out)
      fake.disconnect();
      expect(await firstValueFrom(second.connection$)).to.equal(false);
      expect(await firstValueFrom(host.connection$)).to.equal(false);
      fake.reconnect();
      await firstValueFrom(second.connection$.pipe(filter(Boolean)));
    } finally {
      second.dispose();
    }
  });

  it('a transfer answered 202 and then rejected by the CTI server rejects; nothing resolves on the 202 alone', async () => {
    fake = installFakeFinesse();
    const { dialogId } = fake.startCall({ ani: '5551234567', dialedNumber: '8000' });
    host = new FinesseHost();
    host.start();
    await callWhere(host, (c) => c?.dialogId === dialogId);
    await firstValueFrom(host.connection$.pipe(filter(Boolean)));
    fake.ctiRejectNextTransfer({
      errorType: 'Generic Error',
      errorMessage: 'CTI: route point busy',
    });
    const e = await rejection(host.transfer(dialogId, '9100'));
    expect(e.code).to.equal('transfer-rejected');
    expect(e.message).to.equal('CTI: route point busy');
    expect(fake.requests().map((r) => r.outcome)).to.deep.equal(['cti-rejected']);
    // the same call transfers fine afterwards, and only once the dialog shows it
    await host.transfer(dialogId, '9100');
    expect(fake.transfers()).to.have.length(1);
    expect(fake.dialog(dialogId)!.state).to.equal('DROPPED');
  });

  it('a transfer Finesse accepts but never confirms ends in transfer-timeout', async () => {
    fake = installFakeFinesse({ ctiDelayMs: 60_000 });
    const { dialogId } = fake.startCall({ ani: '5551234567', dialedNumber: '8000' });
    host = new FinesseHost({ actionTimeoutMs: 500 });
    host.start();
    await callWhere(host, (c) => c?.dialogId === dialogId);
    await firstValueFrom(host.connection$.pipe(filter(Boolean)));
    const e = await rejection(host.transfer(dialogId, '9100'));
    expect(e.code).to.equal('transfer-timeout');
  });

  it('refuses a transfer the agent leg does not allow, without asking Finesse', async () => {
    fake = installFakeFinesse();
    const { dialogId } = fake.startCall({
      ani: '5551234567',
      dialedNumber: '8000',
      actions: ['HOLD', 'DROP'],
    });
    host = new FinesseHost();
    host.start();
    const call = (await callWhere(host, (c) => c?.dialogId === dialogId))!;
    expect(call.actions).to.deep.equal(['HOLD', 'DROP']);
    await firstValueFrom(host.connection$.pipe(filter(Boolean)));
    const e = await rejection(host.transfer(dialogId, '9100'));
    expect(e.code).to.equal('transfer-rejected');
    expect(fake.requests()).to.deep.equal([]);
  });

  it('before 12.5 the UPDATE_CALL_DATA PUT goes to the absolute REST URL and resolves on the dialog event', async () => {
    fake = installFakeFinesse({ version: '12.0' });
    const { dialogId } = fake.startCall({ ani: '5551234567', dialedNumber: '8000' });
    host = new FinesseHost();
    host.start();
    await callWhere(host, (c) => c?.dialogId === dialogId);
    await firstValueFrom(host.connection$.pipe(filter(Boolean)));
    await host.updateCallVariables(dialogId, { 'user.pcs.requestId': 'r-1' });
    expect(fake.requests()).to.deep.equal([
      {
        requestId: 'req-1',
        dialogId,
        action: 'UPDATE_CALL_DATA',
        callVariables: { 'user.pcs.requestId': 'r-1' },
        via: 'makeRequest',
        outcome: 'accepted',
      },
    ]);
    expect(
      (await callWhere(host, (c) => !!c?.callVariables['user.pcs.requestId']))!.callVariables,
    ).to.include({
      'user.pcs.requestId': 'r-1',
    });
  });

  it('ignores non-voice (chat) dialogs as calls', async () => {
    fake = installFakeFinesse();
    host = new FinesseHost();
    host.start();
    await firstValueFrom(host.connection$.pipe(filter(Boolean)));
    fake.startChatTask({ interactionId: 'ix-1' });
    const { dialogId } = fake.startCall({ ani: '5551234567', dialedNumber: '8000' });
    expect((await callWhere(host, (c) => c !== null))!.dialogId).to.equal(dialogId);
  });
});
