/**
 * A fake finesse.js + OpenSocial `gadgets.*` for pages with no Cisco Finesse: the demo, the
 * Finesse layout preview, and tests. It is shaped like the real API described in DOMAIN.md
 * (ClientServices, User, Dialogs, Dialog, ContainerServices, gadgets.io/window/Prefs/Hub), with
 * the real quirks kept on purpose: `participant.actions.action` is a string for one action and an
 * array for several, getters are methods, errors arrive as
 * `{ status, object: { ApiErrors: { ApiError: { ErrorType, ErrorMessage } } } }`, and
 * `updateCallVariables` exists only from version 12.5 (older ones PUT UPDATE_CALL_DATA through
 * `gadgets.io.makeRequest`). `disconnect()` / `reconnect()` simulate a Finesse failover: requests
 * fail with 503 meanwhile and calls that start and end inside it produce no events.
 */

export interface FakeFinesseOptions {
  agentId?: string;
  extension?: string;
  /** Finesse version, e.g. '12.6' (default) or '11.6' (no dialog.updateCallVariables) */
  version?: string;
  /** gadget UserPrefs / layout attributes read through `new gadgets.Prefs().getString()` */
  prefs?: Record<string, string>;
}

export interface FakeCall {
  ani: string;
  dialedNumber: string;
  callVariables?: Record<string, string>;
  /** default 'ACTIVE' (answered); 'ALERTING' waits for `answer(dialogId)` */
  state?: 'ALERTING' | 'ACTIVE';
  callType?: string;
}

export interface FakeTransfer {
  dialogId: string;
  to: string;
  kind: 'sst' | 'consult';
  callVariables: Record<string, string>;
}

export interface FakeDialogSnapshot {
  dialogId: string;
  state: string;
  ani: string;
  dialedNumber: string;
  callVariables: Record<string, string>;
}

export interface FakeFinesseHooks {
  /** a dialog was created or changed state / call variables */
  onDialog?(d: FakeDialogSnapshot): void;
  /** the agent transferred a call (single step, or consult completed) */
  onTransfer?(t: FakeTransfer): void;
}

export interface FakeFinesse {
  startCall(o: FakeCall): { dialogId: string };
  answer(dialogId: string): void;
  endCall(dialogId: string): void;
  transfers(): FakeTransfer[];
  dialog(dialogId: string): { state: string; callVariables: Record<string, string> } | undefined;
  /** the next transfer (or consult) fails with this Finesse error */
  rejectNextTransfer(e?: { status?: number; errorType?: string; errorMessage?: string }): void;
  /** the next call variable update fails */
  rejectNextCallVariables(e?: { status?: number; errorType?: string; errorMessage?: string }): void;
  /** Finesse failover starts: disconnect handlers run, requests fail with 503 */
  disconnect(): void;
  /** failover over: connect handlers run, the gadget reconciles its dialogs */
  reconnect(): void;
  /** the agent switched to the gadget's tab */
  activateTab(): void;
  /** how often gadgets.window.adjustHeight was called, and the last height asked for */
  heights(): { calls: number; last?: number };
  uninstall(): void;
}

type Handlers = { success?: (rsp: unknown) => void; error?: (rsp: unknown) => void } | undefined;

interface DialogState {
  id: string;
  state: string;
  ani: string;
  dialedNumber: string;
  callType: string;
  callVariables: Record<string, string>;
  /** the consult leg's original dialog */
  consultOf?: string;
  changeHandlers: Set<(d: unknown) => void>;
  api: Record<string, unknown>;
}

const DialogActions = {
  ANSWER: 'ANSWER',
  DROP: 'DROP',
  HOLD: 'HOLD',
  RETRIEVE: 'RETRIEVE',
  TRANSFER: 'TRANSFER',
  TRANSFER_SST: 'TRANSFER_SST',
  CONSULT_CALL: 'CONSULT_CALL',
  UPDATE_CALL_DATA: 'UPDATE_CALL_DATA',
} as const;

const DialogStates = {
  ALERTING: 'ALERTING',
  INITIATING: 'INITIATING',
  INITIATED: 'INITIATED',
  ACTIVE: 'ACTIVE',
  DROPPED: 'DROPPED',
  FAILED: 'FAILED',
  ACCEPTED: 'ACCEPTED',
} as const;

const ACTIVE_TAB = 'finesse.containerservices.activeTab';
const allowedVariable = /^(callVariable([1-9]|10)|user\.[A-Za-z0-9_.[\]-]{1,60})$/;

let installed: FakeFinesse | undefined;

export function installFakeFinesse(
  options: FakeFinesseOptions = {},
  hooks: FakeFinesseHooks = {},
): FakeFinesse {
  installed?.uninstall();
  const agentId = options.agentId ?? 'agent1';
  const extension = options.extension ?? '1001';
  const version = options.version ?? '12.6';
  const [major = 0, minor = 0] = version.split('.').map((x) => Number(x) || 0);
  const hasUpdateCallVariables = major > 12 || (major === 12 && minor >= 5);
  const host = 'finesse.mock.test';

  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (fn: () => void, ms = 0) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  let connected = false;
  let initialised = false;
  const connectHandlers: (() => void)[] = [];
  const disconnectHandlers: (() => void)[] = [];
  const collections = new Set<{
    onCollectionAdd?: (d: unknown) => void;
    onCollectionDelete?: (d: unknown) => void;
  }>();
  const dialogs = new Map<string, DialogState>();
  /** Dropped dialogs stay inspectable (a test asks for the final state and call variables). */
  const dropped = new Map<string, DialogState>();
  const transfers: FakeTransfer[] = [];
  const tabHandlers = new Set<(data: unknown) => void>();
  const heights = { calls: 0, last: undefined as number | undefined };
  let rejectTransfer: { status?: number; errorType?: string; errorMessage?: string } | undefined;
  let rejectVariables: { status?: number; errorType?: string; errorMessage?: string } | undefined;
  let nextDialog = 1;

  const config = {
    id: agentId,
    extension,
    authorization: btoa(`${agentId}:password`),
    host,
    hostPort: '443',
    scheme: 'https',
    restHost: host,
    xmppDomain: host,
    pubsubDomain: `pubsub.${host}`,
    locale: 'en_US',
    teamId: '1',
    teamName: 'Default',
    clientDriftInMillis: 0,
    version,
  };

  const apiError = (status: number, errorType: string, errorMessage: string) => ({
    status,
    content: `<ApiErrors><ApiError><ErrorType>${errorType}</ErrorType><ErrorMessage>${errorMessage}</ErrorMessage></ApiError></ApiErrors>`,
    object: { ApiErrors: { ApiError: { ErrorType: errorType, ErrorMessage: errorMessage } } },
  });

  /** Finesse answers REST requests asynchronously; a failover answers 503 to everything. */
  const respond = (
    handlers: Handlers,
    run: () => { ok: true; rsp?: unknown } | { ok: false; rsp: unknown },
  ) => {
    later(() => {
      if (!connected) {
        handlers?.error?.(apiError(503, 'Service Unavailable', 'Finesse is failing over'));
        return;
      }
      const r = run();
      if (r.ok) handlers?.success?.(r.rsp ?? { status: 202 });
      else handlers?.error?.(r.rsp);
    });
  };

  const snapshot = (d: DialogState): FakeDialogSnapshot => ({
    dialogId: d.id,
    state: d.state,
    ani: d.ani,
    dialedNumber: d.dialedNumber,
    callVariables: { ...d.callVariables },
  });

  const changed = (d: DialogState) => {
    hooks.onDialog?.(snapshot(d));
    if (!connected) return; // no events during a failover; the gadget reconciles afterwards
    for (const fn of [...d.changeHandlers]) safely(() => fn(d.api));
  };

  const remove = (d: DialogState) => {
    if (!dialogs.delete(d.id)) return;
    dropped.set(d.id, d);
    if (!connected) return;
    for (const c of [...collections]) safely(() => c.onCollectionDelete?.(d.api));
  };

  const drop = (d: DialogState) => {
    if (d.state === DialogStates.DROPPED) return;
    d.state = DialogStates.DROPPED;
    changed(d);
    remove(d);
  };

  const checkTransfer = (d: DialogState, mediaAddress: string) => {
    if (rejectTransfer) {
      const e = rejectTransfer;
      rejectTransfer = undefined;
      return apiError(
        e.status ?? 400,
        e.errorType ?? 'Invalid State',
        e.errorMessage ?? 'The transfer was rejected',
      );
    }
    if (mediaAddress !== extension)
      return apiError(400, 'Invalid Input', `Unknown media address ${mediaAddress}`);
    if (!dialogs.has(d.id) || d.state !== DialogStates.ACTIVE) {
      return apiError(400, 'Invalid State', `Dialog ${d.id} is ${d.state}`);
    }
    return undefined;
  };

  const applyVariables = (d: DialogState, vars: unknown) => {
    if (rejectVariables) {
      const e = rejectVariables;
      rejectVariables = undefined;
      return apiError(
        e.status ?? 400,
        e.errorType ?? 'Invalid Input',
        e.errorMessage ?? 'The call data update was rejected',
      );
    }
    if (!dialogs.has(d.id) || d.state === DialogStates.DROPPED)
      return apiError(400, 'Invalid State', `Dialog ${d.id} is gone`);
    if (typeof vars !== 'object' || vars === null)
      return apiError(400, 'Invalid Input', 'No call variables');
    const entries = Object.entries(vars as Record<string, unknown>);
    for (const [name, value] of entries) {
      if (!allowedVariable.test(name))
        return apiError(400, 'Invalid Input', `Unknown call variable ${name}`);
      if (typeof value !== 'string' || value.length > 210)
        return apiError(400, 'Invalid Input', `Bad value for ${name}`);
    }
    for (const [name, value] of entries) d.callVariables[name] = value as string;
    changed(d);
    return undefined;
  };

  const makeDialog = (
    call: Omit<FakeCall, 'state'> & { consultOf?: string; state?: string },
  ): DialogState => {
    const id = String(10000 + nextDialog++);
    const d: DialogState = {
      id,
      state: call.state ?? DialogStates.ACTIVE,
      ani: call.ani,
      dialedNumber: call.dialedNumber,
      callType: call.callType ?? 'ACD_IN',
      callVariables: { ...(call.callVariables ?? {}) },
      consultOf: call.consultOf,
      changeHandlers: new Set(),
      api: {},
    };
    const agentActions = () =>
      d.state === DialogStates.ALERTING
        ? DialogActions.ANSWER // a single action: finesse.js gives a plain string
        : [
            DialogActions.TRANSFER_SST,
            DialogActions.CONSULT_CALL,
            DialogActions.HOLD,
            DialogActions.DROP,
            DialogActions.UPDATE_CALL_DATA,
          ];
    d.api = {
      getId: () => d.id,
      getState: () => d.state,
      getFromAddress: () => d.ani,
      getToAddress: () => d.dialedNumber,
      getParticipants: () => [
        {
          // the other party: the caller, or on a consult leg the DN being consulted
          mediaAddress: d.consultOf ? d.dialedNumber : d.ani,
          mediaAddressType: d.consultOf ? 'ROUTE_POINT' : 'PSTN',
          state: d.state === 'ALERTING' ? 'ACTIVE' : d.state,
          actions: { action: DialogActions.DROP },
        },
        {
          mediaAddress: extension,
          mediaAddressType: 'AGENT_DEVICE',
          state: d.state,
          actions: { action: agentActions() },
        },
      ],
      getMediaProperties: () => ({
        dialedNumber: d.dialedNumber,
        DNIS: d.dialedNumber,
        callType: d.callType,
        ...d.callVariables,
      }),
      getRestUrl: () => `https://${host}/finesse/api/Dialog/${d.id}`,
      addHandler: (event: string, fn: (x: unknown) => void) => {
        if (event === 'change' && typeof fn === 'function') d.changeHandlers.add(fn);
      },
      removeHandler: (event: string, fn: (x: unknown) => void) => {
        if (event === 'change') d.changeHandlers.delete(fn);
      },
      initiateDirectTransfer: (mediaAddress: string, toAddress: string, handlers: Handlers) =>
        respond(handlers, () => {
          const e = checkTransfer(d, mediaAddress);
          if (e) return { ok: false, rsp: e };
          const t: FakeTransfer = {
            dialogId: d.id,
            to: String(toAddress),
            kind: 'sst',
            callVariables: { ...d.callVariables },
          };
          transfers.push(t);
          hooks.onTransfer?.(t);
          later(() => drop(d));
          return { ok: true };
        }),
      makeConsultCall: (mediaAddress: string, toAddress: string, handlers: Handlers) =>
        respond(handlers, () => {
          const e = checkTransfer(d, mediaAddress);
          if (e) return { ok: false, rsp: e };
          const consult = makeDialog({
            ani: extension,
            dialedNumber: String(toAddress),
            callType: 'CONSULT',
            consultOf: d.id,
            state: DialogStates.INITIATING,
          });
          dialogs.set(consult.id, consult);
          announce(consult);
          // The IVR route point answers at once.
          later(() => {
            consult.state = DialogStates.ACTIVE;
            changed(consult);
          }, 20);
          return { ok: true };
        }),
      requestAction: (mediaAddress: string, action: string, handlers: Handlers) =>
        respond(handlers, () => {
          if (action === DialogActions.DROP) {
            later(() => drop(d));
            return { ok: true };
          }
          if (action !== DialogActions.TRANSFER || !d.consultOf) {
            return {
              ok: false,
              rsp: apiError(400, 'Invalid Action', `${action} is not possible on dialog ${d.id}`),
            };
          }
          const original = dialogs.get(d.consultOf);
          const e = checkTransfer(d, mediaAddress);
          if (e || !original)
            return {
              ok: false,
              rsp: e ?? apiError(400, 'Invalid State', 'The original call is gone'),
            };
          const t: FakeTransfer = {
            dialogId: original.id,
            to: d.dialedNumber,
            kind: 'consult',
            callVariables: { ...original.callVariables },
          };
          transfers.push(t);
          hooks.onTransfer?.(t);
          later(() => {
            drop(d);
            drop(original);
          });
          return { ok: true };
        }),
    };
    if (hasUpdateCallVariables) {
      d.api.updateCallVariables = (vars: unknown, handlers: Handlers) =>
        respond(handlers, () => {
          const e = applyVariables(d, vars);
          return e ? { ok: false, rsp: e } : { ok: true };
        });
    }
    return d;
  };

  const announce = (d: DialogState) => {
    hooks.onDialog?.(snapshot(d));
    if (!connected) return;
    for (const c of [...collections]) safely(() => c.onCollectionAdd?.(d.api));
  };

  const collectionApi = () => ({
    getCollection: () => Object.fromEntries([...dialogs.values()].map((d) => [d.id, d.api])),
  });

  class User {
    constructor(o: {
      id?: string;
      onLoad?: (u: unknown) => void;
      onChange?: (u: unknown) => void;
      onError?: (e: unknown) => void;
    }) {
      const api = {
        getId: () => agentId,
        getExtension: () => extension,
        getState: () => 'READY',
        getDialogs: (
          h: {
            onCollectionAdd?: (d: unknown) => void;
            onCollectionDelete?: (d: unknown) => void;
            onLoad?: (c: unknown) => void;
          } = {},
        ) => {
          collections.add(h);
          const c = collectionApi();
          later(() => h.onLoad?.(c));
          return c;
        },
      };
      Object.assign(this, api);
      later(() => {
        if (o?.id !== undefined && o.id !== agentId)
          o.onError?.(apiError(404, 'Not Found', `No user ${String(o.id)}`));
        else o?.onLoad?.(this);
      });
    }
  }

  const containerInstance = {
    addHandler: (topic: string, fn: (data: unknown) => void) => {
      if (topic === ACTIVE_TAB && typeof fn === 'function') tabHandlers.add(fn);
    },
    removeHandler: (topic: string, fn: (data: unknown) => void) => {
      if (topic === ACTIVE_TAB) tabHandlers.delete(fn);
    },
    makeActiveTabReq: () => later(() => activateTab()),
  };
  const activateTab = () => {
    for (const fn of [...tabHandlers]) safely(() => fn({ tab: 'home' }));
  };

  const fireConnect = () => {
    for (const fn of [...connectHandlers]) safely(fn);
  };

  const finesse = {
    version,
    gadget: { Config: config },
    clientservices: {
      ClientServices: {
        init: () => {
          if (initialised) return;
          initialised = true;
          later(() => {
            connected = true;
            fireConnect();
          });
        },
        registerOnConnectHandler: (fn: () => void) => {
          if (typeof fn !== 'function') return;
          connectHandlers.push(fn);
          if (connected) later(() => safely(fn));
        },
        registerOnDisconnectHandler: (fn: () => void) => {
          if (typeof fn === 'function') disconnectHandlers.push(fn);
        },
        getNotificationConnectionState: () =>
          connected ? 'connected' : initialised ? 'disconnected' : 'connecting',
      },
    },
    restservices: {
      User,
      Dialog: { Actions: DialogActions, States: DialogStates },
    },
    containerservices: {
      ContainerServices: {
        Topics: { ACTIVE_TAB },
        init: () => containerInstance,
        getInstance: () => containerInstance,
        ...containerInstance,
      },
    },
    utilities: {
      Utilities: {
        getAuthHeaderString: (c: { authorization?: string }) =>
          `Basic ${c?.authorization ?? config.authorization}`,
      },
    },
  };

  const hubSettings: { onConnect?: () => void } = {};
  let hubConnect: (() => void) | undefined;
  Object.defineProperty(hubSettings, 'onConnect', {
    enumerable: true,
    get: () => hubConnect,
    // The container calls onConnect once the hub is up; gadgets assign it while loading.
    set: (fn: unknown) => {
      hubConnect = typeof fn === 'function' ? (fn as () => void) : undefined;
      if (hubConnect) later(() => hubConnect && safely(hubConnect));
    },
  });

  const prefs = { ...(options.prefs ?? {}) };
  class Prefs {
    getString(name: string): string {
      return prefs[name] ?? '';
    }
    getBool(name: string): boolean {
      return prefs[name] === 'true';
    }
    getInt(name: string): number {
      return Number.parseInt(prefs[name] ?? '0', 10) || 0;
    }
  }

  const gadgets = {
    window: {
      adjustHeight: (h?: number) => {
        heights.calls++;
        heights.last = typeof h === 'number' ? h : document.body?.scrollHeight;
      },
    },
    Hub: {
      subscribe: () => 'sub-1',
      unsubscribe: () => undefined,
      publish: () => undefined,
      isConnected: () => true,
    },
    HubSettings: hubSettings,
    Prefs,
    io: {
      RequestParameters: {
        METHOD: 'METHOD',
        CONTENT_TYPE: 'CONTENT_TYPE',
        POST_DATA: 'POST_DATA',
        HEADERS: 'HEADERS',
        AUTHORIZATION: 'AUTHORIZATION',
      },
      MethodType: { GET: 'GET', POST: 'POST', PUT: 'PUT', DELETE: 'DELETE' },
      ContentType: { TEXT: 'TEXT', JSON: 'JSON', DOM: 'DOM' },
      makeRequest: (
        url: string,
        callback: (rsp: { rc: number; text: string; data?: unknown; errors: string[] }) => void,
        params: Record<string, unknown> = {},
      ) => makeRequest(url, callback, params),
    },
  };

  /** The container's proxy: Finesse dialog URLs are answered here, anything else is fetched. */
  const makeRequest = (
    url: string,
    callback: (rsp: { rc: number; text: string; data?: unknown; errors: string[] }) => void,
    params: Record<string, unknown>,
  ) => {
    const method = String(params.METHOD ?? 'GET').toUpperCase();
    const headers = (params.HEADERS ?? {}) as Record<string, string>;
    const body = typeof params.POST_DATA === 'string' ? params.POST_DATA : undefined;
    const m = /^https:\/\/finesse\.mock\.test\/finesse\/api\/Dialog\/([^/?]+)/.exec(String(url));
    const reply = (rc: number, text = '') =>
      later(() =>
        safely(() => callback({ rc, text, data: text, errors: rc >= 400 ? [text] : [] })),
      );
    if (m) {
      if (!connected)
        return reply(503, apiError(503, 'Service Unavailable', 'Finesse is failing over').content);
      if (!/^Basic .+/.test(headers.Authorization ?? ''))
        return reply(401, apiError(401, 'Unauthorized', 'Missing credentials').content);
      const d = dialogs.get(decodeURIComponent(m[1]!));
      if (!d) return reply(404, apiError(404, 'Not Found', 'No such dialog').content);
      if (
        method !== 'PUT' ||
        !body ||
        !/<requestedAction>UPDATE_CALL_DATA<\/requestedAction>/.test(body)
      ) {
        return reply(
          400,
          apiError(400, 'Invalid Input', 'Only UPDATE_CALL_DATA is supported by the fake').content,
        );
      }
      const vars: Record<string, string> = {};
      for (const v of body.matchAll(
        /<CallVariable><name>([^<]*)<\/name><value>([^<]*)<\/value><\/CallVariable>/g,
      )) {
        vars[unescapeXml(v[1]!)] = unescapeXml(v[2]!);
      }
      const e = applyVariables(d, vars);
      return e ? reply(e.status, e.content) : reply(202);
    }
    fetch(url, { method, headers, body })
      .then(async (r) => reply(r.status, await r.text()))
      .catch((e: unknown) => reply(500, String((e as Error)?.message ?? e)));
  };

  const g = globalThis as Record<string, unknown>;
  const previous = { finesse: g.finesse, gadgets: g.gadgets };
  g.finesse = finesse;
  g.gadgets = gadgets;

  const fake: FakeFinesse = {
    startCall(o) {
      const d = makeDialog({ ...o, state: o.state ?? DialogStates.ACTIVE });
      dialogs.set(d.id, d);
      announce(d);
      return { dialogId: d.id };
    },
    answer(dialogId) {
      const d = dialogs.get(dialogId);
      if (!d || d.state !== DialogStates.ALERTING) return;
      d.state = DialogStates.ACTIVE;
      changed(d);
    },
    endCall(dialogId) {
      const d = dialogs.get(dialogId);
      if (d) drop(d);
    },
    transfers: () => transfers.map((t) => ({ ...t, callVariables: { ...t.callVariables } })),
    dialog(dialogId) {
      const d = dialogs.get(dialogId) ?? dropped.get(dialogId);
      return d ? { state: d.state, callVariables: { ...d.callVariables } } : undefined;
    },
    rejectNextTransfer(e = {}) {
      rejectTransfer = e;
    },
    rejectNextCallVariables(e = {}) {
      rejectVariables = e;
    },
    disconnect() {
      if (!connected) return;
      connected = false;
      for (const fn of [...disconnectHandlers]) safely(fn);
    },
    reconnect() {
      if (connected || !initialised) return;
      connected = true;
      fireConnect();
    },
    activateTab,
    heights: () => ({ ...heights }),
    uninstall() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      collections.clear();
      connectHandlers.length = 0;
      disconnectHandlers.length = 0;
      tabHandlers.clear();
      if (g.finesse === finesse) restore('finesse', previous.finesse);
      if (g.gadgets === gadgets) restore('gadgets', previous.gadgets);
      if (installed === fake) installed = undefined;
    },
  };

  function restore(name: 'finesse' | 'gadgets', value: unknown) {
    if (value === undefined) delete g[name];
    else g[name] = value;
  }

  installed = fake;
  return fake;
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    // A gadget's handler threw: finesse.js logs and carries on; so does the fake.
    console.error('[fake finesse] handler threw', e);
  }
}

function unescapeXml(s: string): string {
  return s.replace(
    /&(lt|gt|amp|apos|quot);/g,
    (_, e: string) => ({ lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' })[e] ?? '',
  );
}
