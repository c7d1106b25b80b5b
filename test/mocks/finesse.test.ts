import { expect, waitUntil } from '@open-wc/testing';
import { cleanup, mock } from './helpers.js';
import { installFakeFinesse } from '../../src/mocks/index.js';
import { currentFakeFinesse } from '../../src/mocks/finesse/index.js';

interface Dialog {
  getId(): string;
  getState(): string;
  getParticipants(): { mediaAddress: string; actions: { action: string | string[] } }[];
  getMediaProperties(): Record<string, string>;
  getRestUrl(): string;
  addHandler(e: 'change', fn: (d: Dialog) => void): void;
  initiateDirectTransfer(media: string, to: string, h: object): void;
  makeConsultCall(media: string, to: string, h: object): void;
  requestAction(media: string, action: string, h: object): void;
  updateCallVariables?(vars: Record<string, string>, h: object): void;
}
type G = {
  finesse: {
    gadget: { Config: Record<string, string> };
    clientservices: {
      ClientServices: {
        init(c: unknown): void;
        registerOnConnectHandler(f: () => void): void;
        registerOnDisconnectHandler(f: () => void): void;
      };
    };
    restservices: { User: new (o: object) => unknown; Dialog: { Actions: Record<string, string> } };
    containerservices: {
      ContainerServices: {
        init(): { addHandler(t: string, f: () => void): void; makeActiveTabReq(): void };
        Topics: { ACTIVE_TAB: string };
      };
    };
  };
  gadgets: {
    Hub: { subscribe(t: string, f: () => void): string; isConnected(): boolean };
    io: {
      makeRequest(url: string, cb: (r: { rc: number; text: string }) => void, p: object): void;
    };
    Prefs: new () => { getString(n: string): string };
    HubSettings: { onConnect?: () => void };
    window: { adjustHeight(): void };
  };
};
const g = () => globalThis as unknown as G;

/** Loads the user and its dialogs the way a gadget does; resolves once the collection loaded. */
async function gadget() {
  const { finesse } = g();
  const added: Dialog[] = [];
  const deleted: string[] = [];
  let connected = 0;
  let disconnected = 0;
  await waitUntil(() => g().gadgets.Hub.isConnected(), 'hub connected', { timeout: 5000 });
  finesse.clientservices.ClientServices.init(finesse.gadget.Config);
  finesse.clientservices.ClientServices.registerOnConnectHandler(() => connected++);
  finesse.clientservices.ClientServices.registerOnDisconnectHandler(() => disconnected++);
  let dialogs: { getCollection(): Record<string, Dialog> } | undefined;
  await new Promise<void>((resolve) => {
    new finesse.restservices.User({
      id: finesse.gadget.Config.id,
      onLoad: (user: { getDialogs(h: object): unknown; getExtension(): string }) => {
        expect(user.getExtension()).to.equal('1001');
        user.getDialogs({
          onCollectionAdd: (d: Dialog) => added.push(d),
          onCollectionDelete: (d: Dialog) => deleted.push(d.getId()),
          onLoad: (c: typeof dialogs) => {
            dialogs = c;
            resolve();
          },
        });
      },
    });
  });
  return {
    added,
    deleted,
    dialogs: dialogs!,
    connected: () => connected,
    disconnected: () => disconnected,
  };
}

const call = <T>(
  run: (h: { success: (r: unknown) => void; error: (r: unknown) => void }) => void,
) =>
  new Promise<{ ok: boolean; rsp: T }>((resolve) =>
    run({
      success: (rsp) => resolve({ ok: true, rsp: rsp as T }),
      error: (rsp) => resolve({ ok: false, rsp: rsp as T }),
    }),
  );

describe('fake Finesse', () => {
  afterEach(cleanup);

  type ApiErr = {
    status: number;
    object: { ApiErrors: { ApiError: { ErrorType: string; ErrorMessage: string } } };
  };

  /** A request's handlers, which finesse.js may call twice: success (202), then error (apiErrors). */
  function handlers() {
    const seen: { kind: 'success' | 'error'; rsp: ApiErr }[] = [];
    return {
      seen,
      h: {
        success: (rsp: unknown) => seen.push({ kind: 'success', rsp: rsp as ApiErr }),
        error: (rsp: unknown) => seen.push({ kind: 'error', rsp: rsp as ApiErr }),
      },
    };
  }

  it('announces calls; a transfer is answered 202 and done when the dialog drops; call variables by event', async () => {
    const m = await mock({ finesse: true });
    const ui = await gadget();
    await waitUntil(() => ui.connected() === 1, 'connected', { timeout: 5000 });
    const { dialogId, interactionId } = m.finesse.startCall({
      ani: '5551234',
      dialedNumber: '8000',
      callVariables: { callVariable1: 'x' },
    });
    await waitUntil(() => ui.added.length === 1, 'dialog added', { timeout: 5000 });
    const d = ui.added[0]!;
    expect(d.getId()).to.equal(dialogId);
    expect(d.getState()).to.equal('ACTIVE');
    expect(d.getMediaProperties()).to.include({ dialedNumber: '8000', callVariable1: 'x' });
    expect(d.getParticipants().find((p) => p.mediaAddress === '1001')!.actions.action).to.include(
      'TRANSFER_SST',
    );
    // finesse.js REST paths are relative; its own requests prefix scheme://restHost:port
    expect(d.getRestUrl()).to.equal(`/finesse/api/Dialog/${dialogId}`);
    expect(ui.dialogs.getCollection()[dialogId]).to.equal(d);
    expect(m.interactions.get(interactionId).properties).to.include({
      'voice.dialogId': dialogId,
      'voice.state': 'ACTIVE',
    });

    const changes: string[] = [];
    d.addHandler('change', (x) => changes.push(x.getState()));
    const upd = await call((h) =>
      d.updateCallVariables!({ 'user.microapp.isPostCallSurvey': 'y' }, h),
    );
    expect(upd.ok).to.equal(true);
    await waitUntil(
      () => d.getMediaProperties()['user.microapp.isPostCallSurvey'] === 'y',
      'the variables arrive by a dialog event',
      { timeout: 5000 },
    );
    const badVar = await call<ApiErr>((h) => d.updateCallVariables!({ 'not-a-variable': 'y' }, h));
    expect(badVar.ok).to.equal(false);
    expect(badVar.rsp.status).to.equal(400);

    m.finesse.rejectNextTransfer({ status: 500, errorType: 'CTI', errorMessage: 'nope' });
    const refused = await call<ApiErr>((h) => d.initiateDirectTransfer('1001', '9100', h));
    expect(refused.ok).to.equal(false);
    expect(refused.rsp.object.ApiErrors.ApiError.ErrorMessage).to.equal('nope');

    const t = handlers();
    d.initiateDirectTransfer('1001', '9100', t.h);
    await waitUntil(() => t.seen.length === 1, '202', { timeout: 5000 });
    expect(t.seen[0]!.kind).to.equal('success');
    await waitUntil(() => ui.deleted.includes(dialogId), 'dialog removed', { timeout: 5000 });
    expect(changes).to.include('DROPPED');
    expect(m.finesse.transfers()).to.deep.equal([
      {
        dialogId,
        to: '9100',
        kind: 'sst',
        callVariables: { callVariable1: 'x', 'user.microapp.isPostCallSurvey': 'y' },
      },
    ]);
    expect(m.interactions.get(interactionId).properties['voice.state']).to.equal('DROPPED');
    expect(
      currentFakeFinesse()!
        .requests()
        .map((r) => [r.action, r.outcome]),
    ).to.deep.equal([
      ['UPDATE_CALL_DATA', 'accepted'],
      ['UPDATE_CALL_DATA', 'refused'],
      ['TRANSFER_SST', 'refused'],
      ['TRANSFER_SST', 'accepted'],
    ]);

    let tabs = 0;
    const cs = g().finesse.containerservices.ContainerServices;
    cs.init().addHandler(cs.Topics.ACTIVE_TAB, () => {
      tabs++;
      g().gadgets.window.adjustHeight();
    });
    m.finesse.activateTab();
    expect(tabs).to.equal(1);
    expect(m.finesse.heights().calls).to.equal(1);
  });

  it('the CTI rejects a transfer after its 202: the same handlers get the apiErrors; the call stays', async () => {
    const m = await mock({ finesse: true });
    const ui = await gadget();
    const { dialogId } = m.finesse.startCall({ ani: '5551234', dialedNumber: '8000' });
    await waitUntil(() => ui.added.length === 1, 'dialog added', { timeout: 5000 });
    const d = ui.added[0]!;
    currentFakeFinesse()!.ctiRejectNextTransfer({ errorMessage: 'CTI: destination busy' });
    const t = handlers();
    d.initiateDirectTransfer('1001', '9100', t.h);
    await waitUntil(() => t.seen.length === 2, '202 then apiErrors', { timeout: 5000 });
    expect(t.seen.map((x) => x.kind)).to.deep.equal(['success', 'error']);
    expect(t.seen[1]!.rsp.object.ApiErrors.ApiError.ErrorMessage).to.equal('CTI: destination busy');
    expect(m.finesse.transfers()).to.deep.equal([]);
    expect(m.finesse.dialog(dialogId)!.state).to.equal('ACTIVE');
    expect(currentFakeFinesse()!.requests()[0]).to.include({
      action: 'TRANSFER_SST',
      outcome: 'cti-rejected',
    });
  });

  it('disallowed actions are refused; setActions changes the agent leg (one action is a string)', async () => {
    await mock({ finesse: true });
    const ui = await gadget();
    const { dialogId } = currentFakeFinesse()!.startCall({
      ani: '5551234',
      dialedNumber: '8000',
      actions: ['DROP'],
    });
    await waitUntil(() => ui.added.length === 1, 'dialog added', { timeout: 5000 });
    const d = ui.added[0]!;
    expect(d.getParticipants().find((p) => p.mediaAddress === '1001')!.actions.action).to.equal(
      'DROP',
    );
    const r = await call<ApiErr>((h) => d.initiateDirectTransfer('1001', '9100', h));
    expect(r.ok).to.equal(false);
    expect(r.rsp.object.ApiErrors.ApiError.ErrorType).to.equal('Invalid Action');
    currentFakeFinesse()!.setActions(dialogId, ['TRANSFER_SST', 'DROP']);
    expect(
      d.getParticipants().find((p) => p.mediaAddress === '1001')!.actions.action,
    ).to.deep.equal(['TRANSFER_SST', 'DROP']);
  });

  it('consult transfer, endCall, and a failover (failing -> recovered) that hides a short call', async () => {
    const m = await mock({ finesse: true });
    const ui = await gadget();
    await waitUntil(() => ui.connected() === 1, 'connected', { timeout: 5000 });
    const { dialogId } = m.finesse.startCall({ ani: '5551234', dialedNumber: '8000' });
    await waitUntil(() => ui.added.length === 1, 'dialogs changed', { timeout: 5000 });
    const d = ui.added[0]!;
    expect((await call((h) => d.makeConsultCall('1001', '9100', h))).ok).to.equal(true);
    await waitUntil(
      () => ui.added.length === 2 && ui.added[1]!.getState() === 'ACTIVE',
      'consult answered',
      { timeout: 5000 },
    );
    const consult = ui.added[1]!;
    // exactly one leg is the agent's, on the consult call too
    expect(consult.getParticipants().filter((p) => p.mediaAddress === '1001')).to.have.length(1);
    const done = await call((h) =>
      consult.requestAction('1001', g().finesse.restservices.Dialog.Actions.TRANSFER!, h),
    );
    expect(done.ok).to.equal(true);
    await waitUntil(() => m.finesse.transfers().length === 1, 'consult transfer done', {
      timeout: 5000,
    });
    expect(m.finesse.transfers()[0]).to.include({ dialogId, to: '9100', kind: 'consult' });

    const second = m.finesse.startCall({ ani: '5550000', dialedNumber: '8001' });
    await waitUntil(() => ui.added.length === 3, 'dialogs changed', { timeout: 5000 });

    const before = ui.added.length;
    m.finesse.disconnect();
    expect(ui.disconnected()).to.equal(1);
    const during = await call<{ status: number }>((h) =>
      d.initiateDirectTransfer('1001', '9100', h),
    );
    expect(during.rsp.status).to.equal(503);
    const hidden = m.finesse.startCall({ ani: '5551111', dialedNumber: '8000' });
    m.finesse.endCall(hidden.dialogId);
    m.finesse.endCall(second.dialogId); // ends inside the failover: no event now
    const kept = m.finesse.startCall({ ani: '5552222', dialedNumber: '8000' });
    expect(ui.deleted).to.not.include(second.dialogId);
    m.finesse.reconnect();
    expect(ui.connected()).to.equal(2);
    // after `recovered` finesse.js refreshes the collection: the call that ended is deleted,
    // the new one added, the short one never seen
    await waitUntil(() => ui.deleted.includes(second.dialogId), 'refresh deletes', {
      timeout: 5000,
    });
    await waitUntil(() => ui.added.length === before + 1, 'refresh adds', { timeout: 5000 });
    expect(ui.added.at(-1)!.getId()).to.equal(kept.dialogId);
    expect(ui.added.map((x) => x.getId())).to.not.include(hidden.dialogId);
  });

  it('before 12.5 there is no updateCallVariables; the PUT needs an absolute URL and the agent', async () => {
    const m = await mock({ finesse: { version: '11.6' } });
    const ui = await gadget();
    const { dialogId } = m.finesse.startCall({ ani: '5551234', dialedNumber: '8000' });
    await waitUntil(() => ui.added.length === 1, 'dialogs changed', { timeout: 5000 });
    const d = ui.added[0]!;
    expect(d.updateCallVariables).to.equal(undefined);
    const xml =
      '<Dialog><requestedAction>UPDATE_CALL_DATA</requestedAction><mediaProperties><callvariables>' +
      '<CallVariable><name>callVariable9</name><value>a&amp;b</value></CallVariable></callvariables></mediaProperties></Dialog>';
    const put = (url: string, headers: Record<string, string>) =>
      new Promise<{ rc: number; text: string }>((resolve) =>
        g().gadgets.io.makeRequest(url, resolve, {
          METHOD: 'PUT',
          HEADERS: headers,
          POST_DATA: xml,
        }),
      );
    const auth = { Authorization: `Basic ${g().finesse.gadget.Config.authorization}` };
    // Shindig's proxy takes absolute http(s) URLs only
    expect((await put(d.getRestUrl(), auth)).rc).to.equal(400);
    const url = `https://finesse.mock.test:443${d.getRestUrl()}`;
    expect((await put(url, {})).rc).to.equal(401);
    expect((await put(url, { Authorization: 'Basic abc' })).rc).to.equal(401);
    expect((await put(url, auth)).rc).to.equal(202);
    await waitUntil(
      () => m.finesse.dialog(dialogId)!.callVariables.callVariable9 === 'a&b',
      'applied after the 202',
      { timeout: 5000 },
    );
    expect(m.finesse.dialog(dialogId)!.callVariables).to.deep.equal({ callVariable9: 'a&b' });
  });

  it('10.5: no gadget.Config; init before the hub connected never hears of a connection', async () => {
    const fake = installFakeFinesse({ version: '10.5', hub: 'manual', prefs: { mode: 'hangup' } });
    try {
      const { finesse, gadgets } = g();
      expect(finesse.gadget.Config).to.equal(undefined);
      // Finesse's own prefs win over layout parameters of the same name
      expect(new gadgets.Prefs().getString('host')).to.equal('finesse.mock.test');
      expect(new gadgets.Prefs().getString('locale')).to.equal('en_US');
      expect(() => gadgets.Hub.subscribe('x', () => undefined)).to.throw('Disconnected');
      const config = {
        host: 'finesse.mock.test',
        restHost: 'finesse.mock.test',
        authorization: 'x',
      };
      let connects = 0;
      expect(() => finesse.clientservices.ClientServices.init(config)).to.throw('Disconnected');
      finesse.clientservices.ClientServices.registerOnConnectHandler(() => connects++);
      fake.connectHub();
      finesse.clientservices.ClientServices.init(config); // already "inited": does nothing
      await new Promise((r) => setTimeout(r, 100));
      expect(connects).to.equal(0);
      expect(fake.clientServices()).to.deep.equal({ inits: 2, subscribed: false });
      // 10.5's REST objects read finesse.container.Config
      expect(() => new finesse.restservices.User({ id: 'agent1' })).to.throw(TypeError);
    } finally {
      fake.uninstall();
    }
  });

  it('one subscription per topic: a second dialog collection loads but gets no events', async () => {
    const m = await mock({ finesse: true });
    const first = await gadget();
    const second = await gadget();
    m.finesse.startCall({ ani: '5551234', dialedNumber: '8000' });
    await waitUntil(() => first.added.length === 1, 'first hears', { timeout: 5000 });
    await new Promise((r) => setTimeout(r, 100));
    expect(second.added).to.have.length(0);
    // ClientServices keeps one connect handler: the last registration replaced the first
    m.finesse.disconnect();
    expect(first.disconnected() + second.disconnected()).to.equal(1);
    m.finesse.reconnect();
  });

  it('installs with a manual hub: onConnect runs once, when the container connects it', async () => {
    const fake = installFakeFinesse({ hub: 'manual', prefs: { mode: 'hangup' } });
    try {
      expect(new (g().gadgets.Prefs)().getString('mode')).to.equal('hangup');
      let hub = 0;
      g().gadgets.HubSettings.onConnect = () => hub++;
      await new Promise((r) => setTimeout(r, 50));
      expect(hub).to.equal(0);
      fake.connectHub();
      fake.connectHub();
      expect(hub).to.equal(1);
      const cs = g().finesse.containerservices.ContainerServices;
      let tabs = 0;
      cs.init().addHandler(cs.Topics.ACTIVE_TAB, () => tabs++);
      cs.init().makeActiveTabReq();
      await waitUntil(() => tabs === 1, 'active tab', { timeout: 5000 });
      g().gadgets.window.adjustHeight();
      expect(fake.heights().calls).to.equal(1);
    } finally {
      fake.uninstall();
    }
    expect('finesse' in globalThis).to.equal(false);
    expect('gadgets' in globalThis).to.equal(false);
  });
});
