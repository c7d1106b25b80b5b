import { expect, waitUntil } from '@open-wc/testing';
import { cleanup, mock } from './helpers.js';
import { installFakeFinesse } from '../../src/mocks/index.js';

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
        getNotificationConnectionState(): string;
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
  finesse.clientservices.ClientServices.init(finesse.gadget.Config);
  finesse.clientservices.ClientServices.registerOnConnectHandler(() => connected++);
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
  return { added, deleted, dialogs: dialogs!, connected: () => connected };
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

  it('announces calls, transfers them and updates call variables', async () => {
    const m = await mock({ finesse: true });
    const ui = await gadget();
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
    expect(m.finesse.dialog(dialogId)!.callVariables).to.include({
      'user.microapp.isPostCallSurvey': 'y',
    });
    const badVar = await call<{
      status: number;
      object: { ApiErrors: { ApiError: { ErrorType: string } } };
    }>((h) => d.updateCallVariables!({ 'not-a-variable': 'y' }, h));
    expect(badVar.ok).to.equal(false);
    expect(badVar.rsp.status).to.equal(400);

    m.finesse.rejectNextTransfer({ status: 500, errorType: 'CTI', errorMessage: 'nope' });
    const refused = await call<{
      status: number;
      object: { ApiErrors: { ApiError: { ErrorMessage: string } } };
    }>((h) => d.initiateDirectTransfer('1001', '9100', h));
    expect(refused.ok).to.equal(false);
    expect(refused.rsp.object.ApiErrors.ApiError.ErrorMessage).to.equal('nope');

    const ok = await call((h) => d.initiateDirectTransfer('1001', '9100', h));
    expect(ok.ok).to.equal(true);
    expect(m.finesse.transfers()).to.deep.equal([
      {
        dialogId,
        to: '9100',
        kind: 'sst',
        callVariables: { callVariable1: 'x', 'user.microapp.isPostCallSurvey': 'y' },
      },
    ]);
    await waitUntil(() => ui.deleted.includes(dialogId), 'dialog removed', { timeout: 5000 });
    expect(changes).to.include('DROPPED');
    expect(m.interactions.get(interactionId).properties['voice.state']).to.equal('DROPPED');

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

  it('consult transfer, endCall, and a failover that hides a short call', async () => {
    const m = await mock({ finesse: true });
    const ui = await gadget();
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
    expect(m.finesse.transfers()[0]).to.include({ dialogId, to: '9100', kind: 'consult' });

    const second = m.finesse.startCall({ ani: '5550000', dialedNumber: '8001' });
    await waitUntil(() => ui.added.length === 3, 'dialogs changed', { timeout: 5000 });
    m.finesse.endCall(second.dialogId);
    await waitUntil(() => ui.deleted.includes(second.dialogId), 'dialogs changed', {
      timeout: 5000,
    });

    const before = ui.added.length;
    m.finesse.disconnect();
    expect(g().finesse.clientservices.ClientServices.getNotificationConnectionState()).to.equal(
      'disconnected',
    );
    const during = await call<{ status: number }>((h) =>
      d.initiateDirectTransfer('1001', '9100', h),
    );
    expect(during.rsp.status).to.equal(503);
    const hidden = m.finesse.startCall({ ani: '5551111', dialedNumber: '8000' });
    m.finesse.endCall(hidden.dialogId);
    const kept = m.finesse.startCall({ ani: '5552222', dialedNumber: '8000' });
    const reconnects = ui.connected();
    m.finesse.reconnect();
    expect(ui.connected()).to.equal(reconnects + 1);
    expect(ui.added.length).to.equal(before);
    expect(Object.keys(ui.dialogs.getCollection())).to.deep.equal([kept.dialogId]);
  });

  it('before 12.5 there is no updateCallVariables; the UPDATE_CALL_DATA PUT works', async () => {
    const m = await mock({ finesse: { version: '11.6' } });
    const ui = await gadget();
    const { dialogId } = m.finesse.startCall({ ani: '5551234', dialedNumber: '8000' });
    await waitUntil(() => ui.added.length === 1, 'dialogs changed', { timeout: 5000 });
    const d = ui.added[0]!;
    expect(d.updateCallVariables).to.equal(undefined);
    const xml =
      '<Dialog><requestedAction>UPDATE_CALL_DATA</requestedAction><mediaProperties><callvariables>' +
      '<CallVariable><name>callVariable9</name><value>a&amp;b</value></CallVariable></callvariables></mediaProperties></Dialog>';
    const put = (headers: Record<string, string>) =>
      new Promise<{ rc: number; text: string }>((resolve) =>
        g().gadgets.io.makeRequest(d.getRestUrl(), resolve, {
          METHOD: 'PUT',
          HEADERS: headers,
          POST_DATA: xml,
        }),
      );
    expect((await put({})).rc).to.equal(401);
    expect((await put({ Authorization: 'Basic abc' })).rc).to.equal(202);
    expect(m.finesse.dialog(dialogId)!.callVariables).to.deep.equal({ callVariable9: 'a&b' });
  });

  it('installs standalone with container services, prefs and hub, and uninstalls cleanly', async () => {
    const fake = installFakeFinesse({ prefs: { mode: 'hangup' } });
    try {
      expect(new (g().gadgets.Prefs)().getString('mode')).to.equal('hangup');
      let hub = 0;
      g().gadgets.HubSettings.onConnect = () => hub++;
      await waitUntil(() => hub === 1, 'hub connected', { timeout: 5000 });
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
