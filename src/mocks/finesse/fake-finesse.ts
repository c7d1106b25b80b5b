/**
 * A fake Finesse container (Shindig: hub, prefs, `gadgets.io.makeRequest` proxy) and a
 * finesse.js-like library, for pages with no Cisco Finesse: the demo, the layout preview, tests.
 * It is built from reading Cisco's finesse.js (10.5) and sample gadgets (11.x/12.x) and keeps
 * their rules on purpose, because a lenient fake let real bugs through:
 *
 * - the hub refuses `subscribe` / `publish` until the container connected it (`hub.ts`);
 *   `ClientServices.init` marks itself initialised *before* subscribing to its connection
 *   topic, so an init before the hub connected never hears of a connection again;
 * - one subscription per topic: a second `User` / dialog collection for the same agent loads
 *   but never receives an event; ClientServices keeps ONE connect and ONE disconnect handler;
 * - `finesse.gadget.Config` exists from 11.0; on 10.5 the gadget builds it (and
 *   `finesse.container.Config`, which RestBase objects read) from the container's prefs
 *   (`profiles.ts`); `dialog.updateCallVariables` from 12.5; Media / MediaDialogs from 12.0;
 * - REST actions answer HTTP 202 (`success`) and the outcome arrives later as an event: the
 *   dialog changes (transfer done: the agent's leg drops), or an `apiErrors` update carrying the
 *   request's requestId calls the same request's `error` handler (CTI rejection);
 * - `getRestUrl()` is relative, and `gadgets.io.makeRequest` refuses relative URLs;
 * - failover: connection info `failing` runs the disconnect handler, `recovered` the connect
 *   handler and then refreshes the loaded collections; nothing is delivered in between.
 *
 * Shapes kept from finesse.js: `participant.actions.action` is a string for one action and an
 * array for several; getters are methods; errors are
 * `{ status, content, object: { ApiErrors: { ApiError: { ErrorType, ErrorMessage } } } }`.
 */
import { createHub, type FakeHub } from './hub.js';
import { finesseProfile } from './profiles.js';
import { createTokenEndpoint, type TokenRequestRecord } from './token-endpoint.js';

export interface FakeFinesseOptions {
  agentId?: string;
  extension?: string;
  /** Finesse version: '10.5', '11.6', '12.0', '12.6' (default) … (see profiles.ts) */
  version?: string;
  /** the gadget's layout parameters, read through `new gadgets.Prefs().getString()` */
  prefs?: Record<string, string>;
  /** the agent's locale pref (default 'en_US') */
  locale?: string;
  /**
   * 'auto' (default): the hub connects by itself once installed, and an `onConnect` assigned
   * later still runs (pages that host the elements directly). 'manual': the container connects
   * it at `connectHub()`, calling the `onConnect` assigned by then, once, like Shindig.
   */
  hub?: 'auto' | 'manual';
  /** how long the CTI takes to confirm or reject a request answered 202; default 30 ms */
  ctiDelayMs?: number;
}

export interface FakeCall {
  ani: string;
  dialedNumber: string;
  callVariables?: Record<string, string>;
  /** default 'ACTIVE' (answered); 'ALERTING' waits for `answer(dialogId)` */
  state?: 'ALERTING' | 'ACTIVE';
  callType?: string;
  /** the agent leg's actions (default: what an answered call allows) */
  actions?: string[];
  /** odd dialogs: no media properties at all, or participants lists Finesse can produce */
  odd?: 'no-media-properties' | 'no-agent-leg' | 'single-participant';
}

export interface FakeTransfer {
  dialogId: string;
  to: string;
  kind: 'sst' | 'consult';
  callVariables: Record<string, string>;
}

/** A REST action as Finesse received it, and what became of it. */
export interface FakeFinesseRequest {
  requestId: string;
  dialogId: string;
  action: 'TRANSFER_SST' | 'CONSULT_CALL' | 'TRANSFER' | 'DROP' | 'UPDATE_CALL_DATA';
  to?: string;
  callVariables?: Record<string, string>;
  via: 'finesse.js' | 'makeRequest';
  outcome: 'pending' | 'accepted' | 'refused' | 'cti-rejected';
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

type FinesseErrorInit = { status?: number; errorType?: string; errorMessage?: string };

export interface FakeFinesse {
  readonly version: string;
  startCall(o: FakeCall): { dialogId: string };
  answer(dialogId: string): void;
  endCall(dialogId: string): void;
  transfers(): FakeTransfer[];
  /** every REST action Finesse received (transfers, consults, call data updates) */
  requests(): FakeFinesseRequest[];
  dialog(dialogId: string): { state: string; callVariables: Record<string, string> } | undefined;
  /** the next transfer (or consult) is refused at once with this HTTP error */
  rejectNextTransfer(e?: FinesseErrorInit): void;
  /** the next call variable update is refused at once */
  rejectNextCallVariables(e?: FinesseErrorInit): void;
  /** the next transfer is answered 202, then the CTI server rejects it (apiErrors event) */
  ctiRejectNextTransfer(e?: { errorType?: string; errorMessage?: string }): void;
  /** the next call variable update is answered 202, then rejected by the CTI server */
  ctiRejectNextCallVariables(e?: { errorType?: string; errorMessage?: string }): void;
  /** replaces the actions the agent's leg allows on a dialog (a change event follows) */
  setActions(dialogId: string, actions: string[]): void;
  /** Finesse failover starts: connection info `failing`; requests fail with 503 */
  disconnect(): void;
  /** failover over: connection info `recovered`, then collections refresh */
  reconnect(): void;
  /** the container connects the hub (hub: 'manual'); calls HubSettings.onConnect */
  connectHub(): void;
  /** a non-voice task (chat) routed to the agent through Finesse's media API (12.0+) */
  startChatTask(o: {
    interactionId?: string;
    mediaId?: string;
    mediaProperties?: Record<string, string>;
  }): { dialogId: string };
  endChatTask(dialogId: string): void;
  /** requests the token endpoint received through the container's proxy */
  tokenRequests(): TokenRequestRecord[];
  /** the token endpoint refuses its next request with this status */
  failNextToken(status: number): void;
  /** how often ClientServices.init ran and whether its hub subscription worked */
  clientServices(): { inits: number; subscribed: boolean };
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
  actions?: string[];
  odd?: FakeCall['odd'];
  /** chat tasks: the media (MRD) they belong to, and their own properties */
  mediaId?: string;
  taskProperties?: Record<string, string>;
  /** the consult leg's original dialog */
  consultOf?: string;
  changeHandlers: Set<(d: unknown) => void>;
  api: Record<string, unknown>;
}

interface Listener {
  topic: string;
  live: boolean;
  handlers: {
    onCollectionAdd?: (d: unknown) => void;
    onCollectionDelete?: (d: unknown) => void;
    onLoad?: (c: unknown) => void;
  };
  source: () => DialogState[];
  known: Set<string>;
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
const CONNECTION_TOPIC = 'finesse.info.connection';
const REQUESTS_TOPIC = 'finesse.info.requests';
const HOST = 'finesse.mock.test';
const allowedVariable = /^(callVariable([1-9]|10)|user\.[A-Za-z0-9_.[\]-]{1,60})$/;

let installed: FakeFinesse | undefined;

/** The fake installed on this page, if any (tests reach the verbs the mock does not relay). */
export function currentFakeFinesse(): FakeFinesse | undefined {
  return installed;
}

export function installFakeFinesse(
  options: FakeFinesseOptions = {},
  hooks: FakeFinesseHooks = {},
): FakeFinesse {
  installed?.uninstall();
  const agentId = options.agentId ?? 'agent1';
  const extension = options.extension ?? '1001';
  const profile = finesseProfile(options.version ?? '12.6');
  const ctiDelayMs = options.ctiDelayMs ?? 30;
  const authorization = btoa(`${agentId}:password`);

  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (fn: () => void, ms = 0) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  /** the Finesse server side is up (false during a failover) */
  let backendUp = true;
  // ClientServices, as one page's finesse.js holds it
  let inits = 0;
  let inited = false;
  let subscribed = false;
  let connInfo: string | undefined;
  let failoverMode = false;
  let onConnectHandler: (() => void) | undefined;
  let onDisconnectHandler: (() => void) | undefined;

  const listeners: Listener[] = [];
  const subscribedTopics = new Set<string>();
  const dialogs = new Map<string, DialogState>();
  /** Dropped dialogs stay inspectable (a test asks for the final state and call variables). */
  const dropped = new Map<string, DialogState>();
  const transfers: FakeTransfer[] = [];
  const requests: FakeFinesseRequest[] = [];
  const tabHandlers = new Set<(data: unknown) => void>();
  const heights = { calls: 0, last: undefined as number | undefined };
  let rejectTransfer: FinesseErrorInit | undefined;
  let rejectVariables: FinesseErrorInit | undefined;
  let ctiRejectTransfer: FinesseErrorInit | undefined;
  let ctiRejectVariables: FinesseErrorInit | undefined;
  let nextDialog = 1;
  let nextRequest = 1;
  const tokens = createTokenEndpoint(agentId, authorization);

  /** Finesse's own prefs: what the container gives every gadget, and what Config is built from. */
  const finessePrefs: Record<string, string> = {
    id: agentId,
    authorization,
    host: HOST,
    hostPort: '443',
    scheme: 'https',
    restHost: HOST,
    localhostFQDN: HOST,
    localhostPort: '443',
    extension,
    xmppDomain: HOST,
    pubsubDomain: `pubsub.${HOST}`,
    locale: options.locale ?? 'en_US',
    language: (options.locale ?? 'en_US').split('_')[0]!,
    country: (options.locale ?? 'en_US').split('_')[1] ?? '',
    clientDriftInMillis: '0',
  };
  const config = {
    ...finessePrefs,
    clientDriftInMillis: 0,
    teamId: '1',
    teamName: 'Default',
    version: profile.version,
  };

  const apiError = (status: number, errorType: string, errorMessage: string) => ({
    status,
    content: `<ApiErrors><ApiError><ErrorType>${errorType}</ErrorType><ErrorMessage>${errorMessage}</ErrorMessage></ApiError></ApiErrors>`,
    object: { ApiErrors: { ApiError: { ErrorType: errorType, ErrorMessage: errorMessage } } },
  });

  /** Events reach the gadget only through its ClientServices subscription, and not in failover. */
  const eventsFlow = () => subscribed && backendUp && !failoverMode;

  const hub: FakeHub = createHub((topic, data) => {
    // The master publishes the connection info again when a client asks for it.
    if (topic === REQUESTS_TOPIC && (data as { type?: string })?.type === 'ConnectionInfoReq')
      later(() => hub.deliver(CONNECTION_TOPIC, { status: backendUp ? 'connected' : 'failing' }));
  });

  const onConnectionInfo = (data: unknown) => {
    const status = (data as { status?: string })?.status;
    if (!status || status === connInfo) return;
    connInfo = status;
    if (status === 'connected') {
      if (!failoverMode) safely(() => onConnectHandler?.());
    } else if (status === 'failing') {
      failoverMode = true;
      safely(() => onDisconnectHandler?.());
    } else if (status === 'recovered') {
      failoverMode = false;
      safely(() => onConnectHandler?.());
      refreshCollections();
    }
  };

  /** Finesse answers REST requests asynchronously; a failover answers 503 to everything. */
  const respond = (
    handlers: Handlers,
    run: () => { ok: true; rsp?: unknown } | { ok: false; rsp: unknown },
  ) => {
    later(() => {
      if (!backendUp) {
        safely(() =>
          handlers?.error?.(apiError(503, 'Service Unavailable', 'Finesse is failing over')),
        );
        return;
      }
      const r = run();
      if (r.ok)
        safely(() => handlers?.success?.(r.rsp ?? { status: 202, content: '', object: {} }));
      else safely(() => handlers?.error?.(r.rsp));
    });
  };

  /** The apiErrors update for `requestId`: finesse.js hands it to that request's error handler. */
  const ctiError = (handlers: Handlers, e: FinesseErrorInit) => {
    if (!eventsFlow()) return;
    const rsp = apiError(
      400,
      e.errorType ?? 'Generic Error',
      e.errorMessage ?? 'The CTI server rejected the request',
    );
    safely(() => handlers?.error?.(rsp));
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
    if (!eventsFlow()) return; // the gadget reconciles after a failover
    for (const fn of [...d.changeHandlers]) safely(() => fn(d.api));
  };

  const notifyCollections = () => {
    if (!eventsFlow()) return;
    for (const l of listeners) syncListener(l);
  };

  /** Fires add / delete for what changed since the listener last heard (events, or a refresh). */
  const syncListener = (l: Listener) => {
    if (!l.live) return;
    const now = l.source();
    const ids = new Set(now.map((d) => d.id));
    for (const id of [...l.known]) {
      if (ids.has(id)) continue;
      l.known.delete(id);
      const d = dropped.get(id);
      if (d) safely(() => l.handlers.onCollectionDelete?.(d.api));
    }
    for (const d of now) {
      if (l.known.has(d.id)) continue;
      l.known.add(d.id);
      safely(() => l.handlers.onCollectionAdd?.(d.api));
    }
  };

  const refreshCollections = () => {
    // finesse.js re-GETs every subscribed object after `recovered`
    later(() => {
      if (eventsFlow()) for (const l of listeners) syncListener(l);
    }, ctiDelayMs);
  };

  const remove = (d: DialogState) => {
    if (!dialogs.delete(d.id)) return;
    dropped.set(d.id, d);
    notifyCollections();
  };

  const drop = (d: DialogState) => {
    if (d.state === DialogStates.DROPPED) return;
    d.state = DialogStates.DROPPED;
    changed(d);
    remove(d);
  };

  const agentActions = (d: DialogState): string[] =>
    d.actions ??
    (d.state === DialogStates.ALERTING
      ? [DialogActions.ANSWER]
      : [
          DialogActions.TRANSFER_SST,
          DialogActions.CONSULT_CALL,
          DialogActions.HOLD,
          DialogActions.DROP,
          DialogActions.UPDATE_CALL_DATA,
        ]);

  const record = (r: Omit<FakeFinesseRequest, 'requestId' | 'outcome'>): FakeFinesseRequest => {
    const full: FakeFinesseRequest = {
      ...r,
      requestId: `req-${nextRequest++}`,
      outcome: 'pending',
    };
    requests.push(full);
    return full;
  };

  const checkTransfer = (d: DialogState, mediaAddress: string, action: string) => {
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
    if (!dialogs.has(d.id) || d.state !== DialogStates.ACTIVE)
      return apiError(400, 'Invalid State', `Dialog ${d.id} is ${d.state}`);
    if (!agentActions(d).includes(action))
      return apiError(400, 'Invalid Action', `${action} is not allowed on dialog ${d.id}`);
    return undefined;
  };

  /** A transfer or consult request: recorded, refused as checkTransfer says, else `accept`ed. */
  const transferAction = (
    d: DialogState,
    action: 'TRANSFER_SST' | 'CONSULT_CALL',
    mediaAddress: string,
    toAddress: string,
    handlers: Handlers,
    accept: (req: FakeFinesseRequest) => void,
  ) => {
    const req = record({ dialogId: d.id, action, to: String(toAddress), via: 'finesse.js' });
    respond(handlers, () => {
      const e = checkTransfer(d, mediaAddress, DialogActions[action]);
      if (e) {
        req.outcome = 'refused';
        return { ok: false, rsp: e };
      }
      accept(req);
      return { ok: true };
    });
  };

  const checkVariables = (d: DialogState, vars: unknown) => {
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
    for (const [name, value] of Object.entries(vars as Record<string, unknown>)) {
      if (!allowedVariable.test(name))
        return apiError(400, 'Invalid Input', `Unknown call variable ${name}`);
      if (typeof value !== 'string' || value.length > 210)
        return apiError(400, 'Invalid Input', `Bad value for ${name}`);
    }
    return undefined;
  };

  /**
   * After a 202, the CTI's verdict: a rejection the test injected (once), or the call ended
   * meanwhile (apiErrors to the handlers, true); else the request is accepted (false).
   */
  const ctiRefused = (
    d: DialogState,
    req: FakeFinesseRequest,
    handlers: Handlers,
    injected: FinesseErrorInit | undefined,
  ): boolean => {
    req.outcome = injected || !dialogs.has(d.id) ? 'cti-rejected' : 'accepted';
    if (injected) ctiError(handlers, injected);
    else if (!dialogs.has(d.id))
      ctiError(handlers, { errorType: 'Invalid State', errorMessage: 'The call ended' });
    return req.outcome === 'cti-rejected';
  };

  /** After a 202: the CTI applies the variables (a dialog event) or rejects them (apiErrors). */
  const settleVariables = (
    d: DialogState,
    vars: Record<string, string>,
    req: FakeFinesseRequest,
    handlers: Handlers,
  ) =>
    later(() => {
      const injected = ctiRejectVariables;
      ctiRejectVariables = undefined;
      if (ctiRefused(d, req, handlers, injected)) return;
      Object.assign(d.callVariables, vars);
      changed(d);
    }, ctiDelayMs);

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
      actions: call.actions ? [...call.actions] : undefined,
      odd: call.odd,
      consultOf: call.consultOf,
      changeHandlers: new Set(),
      api: {},
    };
    const actionsShape = (list: string[]) => ({
      // finesse.js turns one XML <action> into a string, several into an array
      action: list.length === 1 ? list[0] : list,
    });
    const participants = () => {
      const other = {
        // the other party: the caller, or on a consult leg the DN being consulted
        mediaAddress: d.consultOf ? d.dialedNumber : d.ani,
        mediaAddressType: d.consultOf ? 'ROUTE_POINT' : 'PSTN',
        state: d.state === 'ALERTING' ? 'ACTIVE' : d.state,
        actions: actionsShape([DialogActions.DROP]),
      };
      const agent = {
        mediaAddress: extension,
        mediaAddressType: 'AGENT_DEVICE',
        state: d.state,
        actions: actionsShape(agentActions(d)),
      };
      if (d.odd === 'no-agent-leg') return [other];
      if (d.odd === 'single-participant') return agent; // one <Participant>: an object, no array
      return [other, agent];
    };
    d.api = {
      _data: {},
      getId: () => d.id,
      getState: () => d.state,
      getFromAddress: () => d.ani,
      getToAddress: () => d.dialedNumber,
      getParticipants: participants,
      getMediaProperties: () =>
        d.odd === 'no-media-properties'
          ? undefined
          : d.mediaId
            ? { mediaId: d.mediaId, ...d.taskProperties, ...d.callVariables }
            : {
                dialedNumber: d.dialedNumber,
                DNIS: d.dialedNumber,
                callType: d.callType,
                ...d.callVariables,
              },
      getRestUrl: () => `/finesse/api/Dialog/${d.id}`,
      addHandler: (event: string, fn: (x: unknown) => void) => {
        if (event === 'change' && typeof fn === 'function') d.changeHandlers.add(fn);
      },
      removeHandler: (event: string, fn: (x: unknown) => void) => {
        if (event === 'change') d.changeHandlers.delete(fn);
      },
      initiateDirectTransfer: (mediaAddress: string, toAddress: string, handlers: Handlers) =>
        transferAction(d, 'TRANSFER_SST', mediaAddress, toAddress, handlers, (req) => {
          later(() => {
            const injected = ctiRejectTransfer;
            ctiRejectTransfer = undefined;
            if (ctiRefused(d, req, handlers, injected)) return;
            const t: FakeTransfer = {
              dialogId: d.id,
              to: String(toAddress),
              kind: 'sst',
              callVariables: { ...d.callVariables },
            };
            transfers.push(t);
            hooks.onTransfer?.(t);
            drop(d);
          }, ctiDelayMs);
        }),
      makeConsultCall: (mediaAddress: string, toAddress: string, handlers: Handlers) =>
        transferAction(d, 'CONSULT_CALL', mediaAddress, toAddress, handlers, (req) => {
          req.outcome = 'accepted';
          const consult = makeDialog({
            ani: extension,
            dialedNumber: String(toAddress),
            callType: 'CONSULT',
            consultOf: d.id,
            state: DialogStates.INITIATING,
          });
          consult.actions = [DialogActions.TRANSFER, DialogActions.DROP];
          dialogs.set(consult.id, consult);
          announce(consult);
          // The IVR route point answers at once.
          later(() => {
            consult.state = DialogStates.ACTIVE;
            changed(consult);
          }, 20);
        }),
      requestAction: (mediaAddress: string, action: string, handlers: Handlers) => {
        const req = record({
          dialogId: d.consultOf ?? d.id,
          action: action === DialogActions.DROP ? 'DROP' : 'TRANSFER',
          to: d.consultOf ? d.dialedNumber : undefined,
          via: 'finesse.js',
        });
        respond(handlers, () => {
          if (action === DialogActions.DROP) {
            req.outcome = 'accepted';
            later(() => drop(d));
            return { ok: true };
          }
          if (action !== DialogActions.TRANSFER || !d.consultOf) {
            req.outcome = 'refused';
            return {
              ok: false,
              rsp: apiError(400, 'Invalid Action', `${action} is not possible on dialog ${d.id}`),
            };
          }
          const original = dialogs.get(d.consultOf);
          const e = checkTransfer(d, mediaAddress, DialogActions.TRANSFER);
          if (e || !original) {
            req.outcome = 'refused';
            return {
              ok: false,
              rsp: e ?? apiError(400, 'Invalid State', 'The original call is gone'),
            };
          }
          later(() => {
            if (ctiRejectTransfer) {
              const cti = ctiRejectTransfer;
              ctiRejectTransfer = undefined;
              req.outcome = 'cti-rejected';
              return ctiError(handlers, cti);
            }
            req.outcome = 'accepted';
            const t: FakeTransfer = {
              dialogId: original.id,
              to: d.dialedNumber,
              kind: 'consult',
              callVariables: { ...original.callVariables },
            };
            transfers.push(t);
            hooks.onTransfer?.(t);
            drop(d);
            drop(original);
          }, ctiDelayMs);
          return { ok: true };
        });
      },
    };
    if (profile.updateCallVariables) {
      d.api.updateCallVariables = (vars: unknown, handlers: Handlers) => {
        const req = record({
          dialogId: d.id,
          action: 'UPDATE_CALL_DATA',
          callVariables: { ...(vars as Record<string, string>) },
          via: 'finesse.js',
        });
        respond(handlers, () => {
          const e = checkVariables(d, vars);
          if (e) {
            req.outcome = 'refused';
            return { ok: false, rsp: e };
          }
          settleVariables(d, { ...(vars as Record<string, string>) }, req, handlers);
          return { ok: true };
        });
      };
    }
    return d;
  };

  const announce = (d: DialogState) => {
    hooks.onDialog?.(snapshot(d));
    notifyCollections();
  };

  const requireInited = () => {
    if (!inited) throw new Error('ClientServices needs to be inited.');
  };

  /** A RestCollection: loads (GET) even when its topic is already taken, but then gets no events. */
  const collection = (
    topic: string,
    source: () => DialogState[],
    handlers: Listener['handlers'] = {},
  ) => {
    requireInited();
    const live = subscribed && !subscribedTopics.has(topic);
    if (live) subscribedTopics.add(topic);
    const l: Listener = { topic, live, handlers, source, known: new Set() };
    const api = {
      getCollection: () => Object.fromEntries(source().map((d) => [d.id, d.api])),
      refresh: () => later(() => syncListener(l)),
    };
    listeners.push(l);
    later(() => {
      if (!backendUp) return;
      for (const d of source()) l.known.add(d.id);
      safely(() => handlers.onLoad?.(api));
    });
    return api;
  };

  const voiceDialogs = () => [...dialogs.values()].filter((d) => !d.mediaId);
  const mediaDialogs = (mediaId: string) =>
    [...dialogs.values()].filter((d) => d.mediaId === mediaId);

  const restConfig = () => {
    // 10.5's RestBase reads finesse.container.Config; later versions fall back to gadget.Config
    const c = (finesse.container as { Config?: { restHost?: string } }).Config;
    if (c) return c;
    if (profile.providesConfig) return finesse.gadget.Config;
    throw new TypeError("Cannot read property 'restHost' of undefined");
  };

  class User {
    constructor(o: {
      id?: string;
      onLoad?: (u: unknown) => void;
      onChange?: (u: unknown) => void;
      onError?: (e: unknown) => void;
    }) {
      requireInited();
      restConfig();
      const topic = `finesse.api.User.${String(o?.id)}`;
      if (subscribed && !subscribedTopics.has(topic)) subscribedTopics.add(topic);
      const api = {
        getId: () => agentId,
        getExtension: () => extension,
        getState: () => 'READY',
        getRestUrl: () => `/finesse/api/User/${agentId}`,
        getDialogs: (h: Listener['handlers'] = {}) =>
          collection(`finesse.api.User.${agentId}.Dialogs`, voiceDialogs, h),
        ...(profile.mediaApi
          ? {
              getMediaList: (h: { onLoad?: (l: unknown) => void } = {}) => {
                requireInited();
                const mediaList = {
                  getCollection: () => ({ chat: media('chat') }),
                  getMedia: (m: {
                    id: string;
                    onLoad?: (x: unknown) => void;
                    onError?: (e: unknown) => void;
                  }) => {
                    const x = media(m.id);
                    later(() => safely(() => m.onLoad?.(x)));
                    return x;
                  },
                };
                later(() => safely(() => h.onLoad?.(mediaList)));
                return mediaList;
              },
            }
          : {}),
      };
      Object.assign(this, api);
      later(() => {
        if (!backendUp)
          o?.onError?.(apiError(503, 'Service Unavailable', 'Finesse is failing over'));
        else if (o?.id !== undefined && o.id !== agentId)
          o.onError?.(apiError(404, 'Not Found', `No user ${String(o.id)}`));
        else o?.onLoad?.(this);
      });
    }
  }

  const media = (mediaId: string) => ({
    getId: () => mediaId,
    getName: () => mediaId,
    getState: () => 'READY',
    getMediaDialogs: (h: Listener['handlers'] = {}) =>
      collection(
        `finesse.api.User.${agentId}.Media.${mediaId}.Dialogs`,
        () => mediaDialogs(mediaId),
        h,
      ),
  });

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

  const validConfig = (c: unknown) => {
    const x = c as Record<string, unknown> | undefined;
    return (
      typeof x === 'object' &&
      x !== null &&
      typeof x.host === 'string' &&
      x.host.length > 0 &&
      !!x.restHost &&
      (typeof x.authorization === 'string' ||
        (typeof x.id === 'string' && typeof x.password === 'string'))
    );
  };

  const ClientServices = {
    init(c: unknown) {
      inits++;
      if (!inited) {
        if (!validConfig(c)) throw new Error('Config object contains invalid properties.');
        // like finesse.js: initialised first, then the hub subscription (which may throw)
        inited = true;
        hub.api.subscribe(CONNECTION_TOPIC, (_t, data) => onConnectionInfo(data));
        subscribed = true;
        hub.api.publish(REQUESTS_TOPIC, { type: 'ConnectionInfoReq', data: {}, invokeID: 1 });
      }
      return ClientServices;
    },
    // One handler slot each; a handler registered in the matching state runs at once.
    registerOnConnectHandler(fn: () => void) {
      if (typeof fn !== 'function') throw new Error('Parameter is not a function.');
      if (connInfo === 'connected') safely(fn);
      onConnectHandler = fn;
    },
    registerOnDisconnectHandler(fn: () => void) {
      if (typeof fn !== 'function') throw new Error('Parameter is not a function.');
      onDisconnectHandler = fn;
    },
  };

  const finesse = {
    version: profile.version,
    gadget: profile.providesConfig ? { Config: config } : ({} as { Config?: typeof config }),
    container: {} as Record<string, unknown>,
    clientservices: { ClientServices },
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
          `Basic ${c?.authorization ?? authorization}`,
      },
    },
  };

  // Layout parameters cannot shadow Finesse's own prefs: the container sets those.
  const prefs: Record<string, string> = { ...(options.prefs ?? {}), ...finessePrefs };
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
    getLang(): string {
      return finessePrefs.language!;
    }
    getCountry(): string {
      return finessePrefs.country!;
    }
  }

  const autoHub = (options.hub ?? 'auto') === 'auto';
  const hubSettings = hub.settings;
  let hubConnect: (() => void) | undefined;
  Object.defineProperty(hubSettings, 'onConnect', {
    enumerable: true,
    get: () => hubConnect,
    set: (fn: unknown) => {
      hubConnect = typeof fn === 'function' ? (fn as () => void) : undefined;
      // lenient pages only: Shindig reads onConnect once, when it connects the hub
      if (autoHub && hub.connected && hubConnect) later(() => hubConnect && safely(hubConnect));
    },
  });
  if (autoHub) later(() => hub.connect());

  type Reply = {
    rc: number;
    text: string;
    data?: unknown;
    errors: string[];
    headers?: Record<string, string[]>;
  };
  const gadgets = {
    window: {
      adjustHeight: (h?: number) => {
        heights.calls++;
        heights.last = typeof h === 'number' ? h : document.body?.scrollHeight;
      },
      setTitle: () => undefined,
    },
    get Hub() {
      return hub.api;
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
        GET_FULL_HEADERS: 'GET_FULL_HEADERS',
        REFRESH_INTERVAL: 'REFRESH_INTERVAL',
      },
      MethodType: { GET: 'GET', POST: 'POST', PUT: 'PUT', DELETE: 'DELETE' },
      ContentType: { TEXT: 'TEXT', JSON: 'JSON', DOM: 'DOM' },
      makeRequest: (
        url: string,
        callback: (rsp: Reply) => void,
        params: Record<string, unknown> = {},
      ) => makeRequest(url, callback, params),
    },
  };

  /** The container's proxy: absolute http(s) URLs only; Finesse and the token endpoint in here. */
  const makeRequest = (
    url: string,
    callback: (rsp: Reply) => void,
    params: Record<string, unknown>,
  ) => {
    const method = String(params.METHOD ?? 'GET').toUpperCase();
    const headers = (params.HEADERS ?? {}) as Record<string, string>;
    const body = typeof params.POST_DATA === 'string' ? params.POST_DATA : undefined;
    const reply = (rc: number, text = '', extra: Partial<Reply> = {}) =>
      later(() =>
        safely(() =>
          callback({ rc, text, data: text, errors: rc >= 400 ? [`${rc} Error`] : [], ...extra }),
        ),
      );
    const u = String(url);
    if (!/^https?:\/\/[^/]/i.test(u)) return reply(400, '', { errors: ['url is not absolute'] });
    if (tokens.handles(u)) {
      const r = tokens.answer(u, method, headers);
      return reply(r.rc, r.text);
    }
    const m =
      /^https:\/\/finesse\.mock\.test(?::443)?\/finesse\/api\/(Dialog\/([^/?]+)|User\/([^/?]+)\/Dialogs)/.exec(
        u,
      );
    if (m) {
      if (!backendUp)
        return reply(503, apiError(503, 'Service Unavailable', 'Finesse is failing over').content);
      if (headers.Authorization !== `Basic ${authorization}`)
        return reply(401, apiError(401, 'Unauthorized', 'Bad credentials').content);
      if (m[3] !== undefined) {
        if (decodeURIComponent(m[3]) !== agentId)
          return reply(403, apiError(403, 'Forbidden', 'Not your dialogs').content);
        const xml = `<Dialogs>${voiceDialogs()
          .map(
            (d) =>
              `<Dialog><uri>/finesse/api/Dialog/${d.id}</uri><id>${d.id}</id><state>${d.state}</state></Dialog>`,
          )
          .join('')}</Dialogs>`;
        return reply(200, xml);
      }
      const id = decodeURIComponent(m[2]!);
      const d = dialogs.get(id);
      const vars: Record<string, string> = {};
      for (const v of (body ?? '').matchAll(
        /<CallVariable><name>([^<]*)<\/name><value>([^<]*)<\/value><\/CallVariable>/g,
      ))
        vars[unescapeXml(v[1]!)] = unescapeXml(v[2]!);
      const req = record({
        dialogId: id,
        action: 'UPDATE_CALL_DATA',
        callVariables: vars,
        via: 'makeRequest',
      });
      if (!d) {
        req.outcome = 'refused';
        return reply(404, apiError(404, 'Not Found', 'No such dialog').content);
      }
      if (
        method !== 'PUT' ||
        !body ||
        !/<requestedAction>UPDATE_CALL_DATA<\/requestedAction>/.test(body)
      ) {
        req.outcome = 'refused';
        return reply(
          400,
          apiError(400, 'Invalid Input', 'Only UPDATE_CALL_DATA is supported by the fake').content,
        );
      }
      const e = checkVariables(d, vars);
      if (e) {
        req.outcome = 'refused';
        return reply(e.status, e.content);
      }
      settleVariables(d, vars, req, undefined);
      return reply(202, '', { headers: { requestid: [req.requestId] } });
    }
    fetch(u, { method, headers, body })
      .then(async (r) => reply(r.status, await r.text()))
      .catch((e: unknown) => reply(500, String((e as Error)?.message ?? e)));
  };

  const g = globalThis as Record<string, unknown>;
  const previous = { finesse: g.finesse, gadgets: g.gadgets };
  g.finesse = finesse;
  g.gadgets = gadgets;

  const fake: FakeFinesse = {
    version: profile.version,
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
    requests: () =>
      requests.map((r) => ({
        ...r,
        ...(r.callVariables ? { callVariables: { ...r.callVariables } } : {}),
      })),
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
    ctiRejectNextTransfer(e = {}) {
      ctiRejectTransfer = e;
    },
    ctiRejectNextCallVariables(e = {}) {
      ctiRejectVariables = e;
    },
    setActions(dialogId, actions) {
      const d = dialogs.get(dialogId);
      if (!d) return;
      d.actions = [...actions];
      changed(d);
    },
    disconnect() {
      if (!backendUp) return;
      backendUp = false;
      hub.deliver(CONNECTION_TOPIC, { status: 'failing' });
    },
    reconnect() {
      if (backendUp) return;
      backendUp = true;
      hub.deliver(CONNECTION_TOPIC, { status: 'recovered' });
    },
    connectHub: () => hub.connect(),
    startChatTask(o) {
      const d = makeDialog({ ani: 'customer', dialedNumber: '', callType: 'CHAT' });
      d.mediaId = o.mediaId ?? 'chat';
      d.taskProperties = {
        ...(o.interactionId ? { interactionId: o.interactionId } : {}),
        ...(o.mediaProperties ?? {}),
      };
      dialogs.set(d.id, d);
      announce(d);
      return { dialogId: d.id };
    },
    endChatTask(dialogId) {
      const d = dialogs.get(dialogId);
      if (d?.mediaId) drop(d);
    },
    tokenRequests: () => tokens.requests(),
    failNextToken: (status) => tokens.failNext(status),
    clientServices: () => ({ inits, subscribed }),
    activateTab,
    heights: () => ({ ...heights }),
    uninstall() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      listeners.length = 0;
      onConnectHandler = undefined;
      onDisconnectHandler = undefined;
      tabHandlers.clear();
      hub.clear();
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
