/**
 * FinesseHost: the agent's current call and the telephony actions, through finesse.js.
 *
 * Start-up follows Cisco's sample gadgets: ClientServices.init(finesse.gadget.Config), a User
 * whose onLoad asks for the dialogs, a 'change' handler per dialog, the existing calls from
 * getCollection(). Finesse failover is surfaced on `connection$` (connect/disconnect
 * handlers); on reconnect the dialog collection is re-read because calls that start or end
 * inside a failover produce no events.
 */
import { BehaviorSubject, Subject, distinctUntilChanged, type Observable } from 'rxjs';
import { ErrorCodes, type AgErrorInfo } from '../protocol/errors.js';
import {
  callVariablesFrom,
  finesseError,
  apiErrorFromXml,
  normaliseActions,
  ownLeg,
  updateCallDataXml,
} from './finesse-normalise.js';
import {
  finesseGlobal,
  gadgetsGlobal,
  type ContainerServicesInstance,
  type FinesseDialog,
  type FinesseDialogs,
  type FinesseGlobal,
  type FinesseHandlers,
  type FinesseUser,
} from './finesse-types.js';
import { HostActionError, type CallInfo, type Host, type TransferOptions } from './host.js';

export interface FinesseHostOptions {
  /** finesse.js namespace (default: the `finesse` global) */
  readonly finesse?: FinesseGlobal;
  /** how long a Finesse request may stay unanswered (CTI failover) before it is reported; default 15000 */
  readonly actionTimeoutMs?: number;
  /** use the pre-12.5 UPDATE_CALL_DATA PUT even when dialog.updateCallVariables exists */
  readonly legacyCallVariables?: boolean;
  /** skip ClientServices.init when the page already did it */
  readonly skipInit?: boolean;
}

const ENDED = new Set(['DROPPED', 'FAILED']);

export class FinesseHost implements Host {
  readonly kind = 'finesse' as const;
  private readonly callSubject = new BehaviorSubject<CallInfo | null>(null);
  private readonly connectionSubject = new BehaviorSubject<boolean>(true);
  readonly call$: Observable<CallInfo | null> = this.callSubject.pipe(
    distinctUntilChanged((a, b) => JSON.stringify(a) === JSON.stringify(b)),
  );
  readonly connection$: Observable<boolean> = this.connectionSubject.pipe(distinctUntilChanged());
  private readonly errorsSubject = new Subject<AgErrorInfo>();
  readonly errors$: Observable<AgErrorInfo> = this.errorsSubject.asObservable();

  private readonly fin: FinesseGlobal;
  private readonly timeoutMs: number;
  private user?: FinesseUser;
  private extension?: string;
  private dialogsCollection?: FinesseDialogs;
  private readonly dialogs = new Map<string, { dialog: FinesseDialog; onChange: () => void }>();
  private currentId?: string;
  private container?: ContainerServicesInstance;
  private activeTabTopic?: string;
  private started = false;
  private disposed = false;
  /** rejects the Finesse requests still waiting for an answer */
  private readonly aborts = new Set<() => void>();

  constructor(private readonly options: FinesseHostOptions = {}) {
    const fin = options.finesse ?? finesseGlobal();
    if (!fin) throw new HostActionError(ErrorCodes.BadConfig, 'finesse.js is not loaded');
    this.fin = fin;
    this.timeoutMs = options.actionTimeoutMs ?? 15000;
  }

  get agentId(): string | undefined {
    const id = this.fin.gadget?.Config?.id;
    return typeof id === 'string' && id ? id : undefined;
  }

  start(): void {
    if (this.started || this.disposed) return;
    this.started = true;
    const config = this.fin.gadget?.Config ?? {};
    const services = this.fin.clientservices?.ClientServices;
    if (!services)
      throw new HostActionError(ErrorCodes.BadConfig, 'finesse.clientservices is missing');
    if (!this.options.skipInit) services.init(config);
    // Until the first connect handler runs, trust what finesse.js says about the notification channel.
    const initial = safe(() => services.getNotificationConnectionState?.());
    if (typeof initial === 'string' && /^(disconnected|failing|reconnecting)$/i.test(initial))
      this.connectionSubject.next(false);
    // finesse.js keeps handlers for the page's lifetime and offers no way to remove them:
    // they check `disposed` instead.
    services.registerOnConnectHandler?.(() => this.onConnect());
    services.registerOnDisconnectHandler?.(() => {
      if (!this.disposed) this.connectionSubject.next(false);
    });

    this.watchActiveTab();

    const User = this.fin.restservices?.User;
    if (!User)
      throw new HostActionError(ErrorCodes.BadConfig, 'finesse.restservices.User is missing');
    this.user = new User({
      id: String(config.id ?? ''),
      onLoad: (user) => this.onUserLoad(user),
      onError: (rsp) => this.reportLoadError('the agent', rsp),
      onChange: (user) => {
        if (this.disposed) return;
        this.extension = safe(() => user.getExtension()) ?? this.extension;
        this.recompute();
      },
    });
  }

  adjustHeight(): void {
    if (this.disposed) return;
    safe(() => gadgetsGlobal()?.window?.adjustHeight?.());
  }

  async transfer(dialogId: string, dn: string, options: TransferOptions = {}): Promise<void> {
    const { dialog, extension } = this.actionTarget(dialogId, ErrorCodes.TransferRejected);
    if (!options.consult) {
      if (!dialog.initiateDirectTransfer)
        return reject(
          ErrorCodes.TransferRejected,
          'This Finesse version cannot transfer (initiateDirectTransfer missing)',
        );
      return this.call(ErrorCodes.TransferRejected, 'transfer', (h) =>
        dialog.initiateDirectTransfer!(extension, dn, h),
      );
    }
    return this.consultTransfer(dialog, extension, dn);
  }

  async updateCallVariables(
    dialogId: string,
    vars: Readonly<Record<string, string>>,
  ): Promise<void> {
    const { dialog } = this.actionTarget(dialogId, ErrorCodes.CallVariablesRejected);
    if (dialog.updateCallVariables && !this.options.legacyCallVariables) {
      return this.call(ErrorCodes.CallVariablesRejected, 'call variable update', (h) =>
        dialog.updateCallVariables!({ ...vars }, h),
      );
    }
    return this.legacyUpdateCallData(dialog, vars);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const abort of [...this.aborts]) abort();
    for (const { dialog, onChange } of this.dialogs.values())
      safe(() => dialog.removeHandler?.('change', onChange));
    this.dialogs.clear();
    if (this.container && this.activeTabTopic) {
      const topic = this.activeTabTopic;
      safe(() => this.container!.removeHandler?.(topic, this.onActiveTab));
    }
    this.callSubject.complete();
    this.connectionSubject.complete();
    this.errorsSubject.complete();
  }

  // ---------------------------------------------------------------------------------------------

  private readonly onActiveTab = () => this.adjustHeight();

  /** adjustHeight only works while the tab is visible: do it again whenever it becomes active. */
  private watchActiveTab(): void {
    const cs = this.fin.containerservices?.ContainerServices;
    if (!cs) return;
    const instance =
      safe(() => cs.init?.()) ?? (cs.addHandler ? (cs as ContainerServicesInstance) : undefined);
    const topic = cs.Topics?.ACTIVE_TAB;
    if (!instance || !topic) return;
    this.container = instance;
    this.activeTabTopic = topic;
    safe(() => instance.addHandler(topic, this.onActiveTab));
    safe(() => instance.makeActiveTabReq?.());
  }

  private onConnect(): void {
    if (this.disposed) return;
    this.connectionSubject.next(true);
    this.reconcile();
  }

  private onUserLoad(user: FinesseUser): void {
    if (this.disposed) return;
    this.extension = safe(() => user.getExtension());
    this.dialogsCollection = user.getDialogs({
      onCollectionAdd: (d) => this.track(d),
      onCollectionDelete: (d) => this.untrack(safe(() => d.getId())),
      onLoad: (dialogs) => {
        this.dialogsCollection = dialogs ?? this.dialogsCollection;
        this.reconcile();
      },
      onError: (rsp) => this.reportLoadError("the agent's calls", rsp),
    });
  }

  private reportLoadError(what: string, rsp: unknown): void {
    if (this.disposed) return;
    const e = finesseError(rsp);
    this.errorsSubject.next({
      code: ErrorCodes.BadConfig,
      message: `Finesse could not load ${what}${e.errorMessage ? `: ${e.errorMessage}` : e.status ? ` (HTTP ${e.status})` : ''}`,
    });
  }

  /** Makes the tracked dialogs match Finesse's collection (after load and after a failover). */
  private reconcile(): void {
    if (this.disposed || !this.dialogsCollection) return;
    const collection = safe(() => this.dialogsCollection!.getCollection?.()) ?? {};
    const present = new Set<string>();
    for (const dialog of Object.values(collection)) {
      const id = safe(() => dialog.getId());
      if (!id) continue;
      present.add(id);
      this.track(dialog);
    }
    for (const id of [...this.dialogs.keys()]) if (!present.has(id)) this.untrack(id);
    this.recompute();
  }

  private track(dialog: FinesseDialog): void {
    if (this.disposed) return;
    const id = safe(() => dialog.getId());
    if (!id) return;
    const known = this.dialogs.get(id);
    if (known?.dialog === dialog) return this.recompute();
    if (known) safe(() => known.dialog.removeHandler?.('change', known.onChange));
    const onChange = () => {
      if (!this.disposed) this.recompute();
    };
    this.dialogs.set(id, { dialog, onChange });
    safe(() => dialog.addHandler?.('change', onChange));
    this.recompute();
  }

  private untrack(id: string | undefined): void {
    if (!id) return;
    const known = this.dialogs.get(id);
    if (!known) return;
    safe(() => known.dialog.removeHandler?.('change', known.onChange));
    this.dialogs.delete(id);
    this.recompute();
  }

  /**
   * Picks the current call: the one already shown while Finesse still has it (even once our
   * leg dropped, so the gadget can tell "ended" from "never was"), else an active one, else
   * any live one where the agent is a participant.
   */
  private recompute(): void {
    if (this.disposed) return;
    const infos = [...this.dialogs.values()]
      .map(({ dialog }) => this.toCallInfo(dialog))
      .filter((c): c is CallInfo => c !== null);
    const current =
      infos.find((c) => c.dialogId === this.currentId) ??
      infos.find((c) => c.state === 'ACTIVE') ??
      infos.find((c) => !ENDED.has(c.state)) ??
      null;
    this.currentId = current?.dialogId;
    this.callSubject.next(current);
  }

  private toCallInfo(dialog: FinesseDialog): CallInfo | null {
    const dialogId = safe(() => dialog.getId());
    if (!dialogId) return null;
    const participants = safe(() => dialog.getParticipants?.());
    const leg = ownLeg(participants, this.extension);
    // Without a known extension we cannot tell legs apart; then the dialog state is all we have.
    if (this.extension && participants && !leg) return null;
    const media = safe(() => dialog.getMediaProperties?.()) ?? {};
    const dialedNumber =
      str(media.dialedNumber) ?? str(media.DNIS) ?? safe(() => dialog.getToAddress?.()) ?? '';
    return {
      dialogId,
      state: String(leg?.state ?? safe(() => dialog.getState?.()) ?? 'UNKNOWN'),
      ani: safe(() => dialog.getFromAddress?.()) ?? '',
      dialedNumber: String(dialedNumber),
      callVariables: callVariablesFrom(media),
      actions: normaliseActions(leg?.actions),
    };
  }

  private actionTarget(
    dialogId: string,
    code: HostActionError['code'],
  ): { dialog: FinesseDialog; extension: string } {
    if (this.disposed) throw new HostActionError(code, 'The gadget was removed');
    if (!this.connectionSubject.value)
      throw new HostActionError(
        ErrorCodes.HostDisconnected,
        'Finesse is reconnecting; try again in a moment',
      );
    const dialog = this.dialogs.get(dialogId)?.dialog;
    if (!dialog)
      throw new HostActionError(ErrorCodes.CallDropped, 'The call is no longer on this desktop');
    return { dialog, extension: this.extension ?? '' };
  }

  /**
   * A Finesse request as a promise with a deadline (a CTI failover can leave a request
   * unanswered). Dispose rejects whatever is still pending, so nothing outlives the gadget.
   */
  private pending(
    code: HostActionError['code'],
    what: string,
    run: (done: { resolve: () => void; reject: (e: HostActionError) => void }) => void,
  ): Promise<void> {
    if (this.disposed) return reject(code, 'The gadget was removed');
    return new Promise<void>((resolve, rejectPromise) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.aborts.delete(abort);
        fn();
      };
      const abort = () =>
        settle(() => rejectPromise(new HostActionError(code, 'The gadget was removed')));
      const timer = setTimeout(
        () =>
          settle(() =>
            rejectPromise(new HostActionError(code, `Finesse did not answer the ${what} request`)),
          ),
        this.timeoutMs,
      );
      this.aborts.add(abort);
      try {
        run({
          resolve: () => settle(resolve),
          reject: (e) => settle(() => rejectPromise(e)),
        });
      } catch (err) {
        settle(() =>
          rejectPromise(
            new HostActionError(code, err instanceof Error ? err.message : String(err)),
          ),
        );
      }
    });
  }

  /** A finesse.js request with `{ success, error }` handlers; errors keep Finesse's own words. */
  private call(
    code: HostActionError['code'],
    what: string,
    run: (h: FinesseHandlers) => void,
  ): Promise<void> {
    return this.pending(code, what, (done) =>
      run({
        success: () => done.resolve(),
        error: (rsp) => {
          const e = finesseError(rsp);
          const text =
            e.errorMessage ?? `Finesse refused the ${what}${e.status ? ` (HTTP ${e.status})` : ''}`;
          done.reject(new HostActionError(code, text, e.status, e.errorType));
        },
      }),
    );
  }

  /** Consult, wait for the consult leg to be answered, then complete the transfer on it. */
  private async consultTransfer(
    dialog: FinesseDialog,
    extension: string,
    dn: string,
  ): Promise<void> {
    const code = ErrorCodes.TransferRejected;
    if (!dialog.makeConsultCall)
      return reject(code, 'This Finesse version cannot make consult calls');
    const before = new Set(this.dialogs.keys());
    await this.call(code, 'consult call', (h) => dialog.makeConsultCall!(extension, dn, h));
    const consult = await new Promise<FinesseDialog>((resolve, rejectPromise) => {
      const started = Date.now();
      const check = () => {
        if (this.disposed)
          return rejectPromise(new HostActionError(code, 'The gadget was removed'));
        for (const [id, { dialog: d }] of this.dialogs) {
          if (before.has(id)) continue;
          if (this.toCallInfo(d)?.state === 'ACTIVE') return resolve(d);
        }
        if (Date.now() - started > this.timeoutMs)
          return rejectPromise(new HostActionError(code, 'The consult call was not answered'));
        setTimeout(check, 100);
      };
      check();
    });
    const action = this.fin.restservices?.Dialog?.Actions?.TRANSFER ?? 'TRANSFER';
    if (!consult.requestAction)
      return reject(code, 'This Finesse version cannot complete a transfer');
    await this.call(code, 'transfer', (h) => consult.requestAction!(extension, action, h));
  }

  /** Finesse before 12.5: PUT UPDATE_CALL_DATA as XML through the gadget container's proxy. */
  private legacyUpdateCallData(
    dialog: FinesseDialog,
    vars: Readonly<Record<string, string>>,
  ): Promise<void> {
    const code = ErrorCodes.CallVariablesRejected;
    const io = gadgetsGlobal()?.io;
    const url = safe(() => dialog.getRestUrl?.());
    if (!io?.makeRequest || !url)
      return reject(code, 'Cannot update call variables: gadgets.io or the dialog URL is missing');
    const P = io.RequestParameters ?? {};
    const params: Record<string, unknown> = {
      [P.METHOD ?? 'METHOD']: io.MethodType?.PUT ?? 'PUT',
      [P.CONTENT_TYPE ?? 'CONTENT_TYPE']: io.ContentType?.TEXT ?? 'TEXT',
      [P.HEADERS ?? 'HEADERS']: {
        Authorization: this.authHeader(),
        'Content-Type': 'application/xml',
      },
      [P.POST_DATA ?? 'POST_DATA']: updateCallDataXml(vars),
    };
    return this.pending(code, 'call variable update', (done) =>
      io.makeRequest!(
        url,
        (rsp) => {
          const rc = typeof rsp?.rc === 'number' ? rsp.rc : 0;
          if (rc >= 200 && rc < 300) return done.resolve();
          const e = apiErrorFromXml(typeof rsp?.text === 'string' ? rsp.text : '');
          done.reject(
            new HostActionError(
              code,
              e.errorMessage ?? `Finesse refused the call variable update (HTTP ${rc})`,
              rc,
              e.errorType,
            ),
          );
        },
        params,
      ),
    );
  }

  private authHeader(): string {
    const config = this.fin.gadget?.Config ?? {};
    const fromUtil = safe(() => this.fin.utilities?.Utilities?.getAuthHeaderString?.(config));
    if (fromUtil) return fromUtil;
    return `Basic ${String(config.authorization ?? '')}`;
  }
}

function reject(code: HostActionError['code'], message: string): Promise<never> {
  return Promise.reject(new HostActionError(code, message));
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : undefined;
}

/** finesse.js getters throw when an object is not loaded yet: treat that as "unknown". */
function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
