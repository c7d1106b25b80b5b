/**
 * StandaloneHost: a gadget on a plain HTML page (or the demo). The call comes either from
 * attributes (`dialog-id`, `ani`, `dialed-number`) or from the interaction server's `voice.*`
 * properties (a versioned PropertyStream, which follows the interaction server's own failover).
 *
 * There is no telephony API on a plain page: `transfer` and `updateCallVariables` are handed
 * to the page through `actions` when it provides them; otherwise the call variables are kept
 * locally (they still go to PCS with the request) and the transfer is left to the desktop.
 */
import {
  BehaviorSubject,
  Subject,
  distinctUntilChanged,
  map,
  type Observable,
  type Subscription,
} from 'rxjs';
import type { PropertyStream } from '../core/property-stream.js';
import type { AgErrorInfo } from '../protocol/errors.js';
import type { HandshakeAuth, Properties } from '../protocol/wire.js';
import { Props } from '../protocol/wire.js';
import type { CallInfo, CallState, Host, TransferOptions } from './host.js';

export interface StandaloneCall {
  readonly dialogId: string;
  readonly ani?: string;
  readonly dialedNumber?: string;
  readonly state?: CallState;
  readonly callVariables?: Readonly<Record<string, string>>;
}

export interface StandaloneActions {
  transfer?(dialogId: string, dn: string, options: TransferOptions): Promise<void>;
  updateCallVariables?(dialogId: string, vars: Readonly<Record<string, string>>): Promise<void>;
}

export type StandaloneHostOptions = (
  | { readonly call: StandaloneCall | null }
  | {
      readonly interactionId: string;
      /** primary, backup... interaction servers */
      readonly interactionsUrls: readonly string[];
      readonly auth?: () => HandshakeAuth | Promise<HandshakeAuth>;
      readonly webSocket?: typeof WebSocket;
    }
) & { readonly actions?: StandaloneActions };

export class StandaloneHost implements Host {
  readonly kind = 'standalone' as const;
  readonly #callSubject = new BehaviorSubject<CallInfo | null>(null);
  readonly #connectionSubject = new BehaviorSubject<boolean>(true);
  readonly call$: Observable<CallInfo | null>;
  readonly connection$: Observable<boolean> = this.#connectionSubject.pipe(distinctUntilChanged());
  readonly #errorsSubject = new Subject<AgErrorInfo>();
  /** the interaction stream's code could not be loaded (a partial deployment, the network) */
  readonly errors$: Observable<AgErrorInfo> = this.#errorsSubject.asObservable();
  #stream?: PropertyStream;
  #subscription?: Subscription;
  #disposed = false;
  /** variables set through this host, layered over what the source says */
  #localVariables = new Map<string, Record<string, string>>();
  #transferred = new Set<string>();
  #started = false;

  readonly #options: StandaloneHostOptions;

  constructor(options: StandaloneHostOptions) {
    this.#options = options;
    this.call$ = this.#callSubject.pipe(
      map((call) => (call ? this.#decorate(call) : null)),
      distinctUntilChanged((a, b) => JSON.stringify(a) === JSON.stringify(b)),
    );
    if ('call' in options) this.#callSubject.next(options.call ? fromStatic(options.call) : null);
  }

  /** Replaces the call given by attributes (the element calls this when they change). */
  setCall(call: StandaloneCall | null): void {
    this.#callSubject.next(call ? fromStatic(call) : null);
  }

  start(): void {
    if (this.#started || this.#disposed) return;
    this.#started = true;
    if ('call' in this.#options) return;
    const { interactionId, interactionsUrls, auth, webSocket } = this.#options;
    // The interaction server's stream is loaded only in this mode: in the survey bundle it is a
    // chunk of its own, which a page giving the call by attributes (or Finesse) never fetches.
    import('../core/property-stream.js').then(
      ({ PropertyStream }) => {
        if (this.#disposed) return;
        const stream = (this.#stream = new PropertyStream({
          urls: interactionsUrls,
          interactionId,
          ...(auth ? { auth } : {}),
          ...(webSocket ? { webSocket } : {}),
        }));
        this.#subscription = stream.snapshot$.subscribe((snap) =>
          this.#callSubject.next(fromProperties(snap.properties)),
        );
        this.#subscription.add(
          stream.status$.subscribe((s) => this.#connectionSubject.next(s.state === 'connected')),
        );
        stream.start();
      },
      (e: unknown) => {
        if (this.#disposed) return;
        this.#connectionSubject.next(false);
        this.#errorsSubject.next({
          code: 'bad-config',
          message: `could not load the interaction stream code: ${e instanceof Error ? e.message : String(e)}`,
        });
      },
    );
  }

  async transfer(dialogId: string, dn: string, options: TransferOptions = {}): Promise<void> {
    await this.#options.actions?.transfer?.(dialogId, dn, options);
    this.#transferred.add(dialogId);
    this.#callSubject.next(this.#callSubject.value);
  }

  async updateCallVariables(
    dialogId: string,
    vars: Readonly<Record<string, string>>,
  ): Promise<void> {
    await this.#options.actions?.updateCallVariables?.(dialogId, vars);
    this.#localVariables.set(dialogId, { ...this.#localVariables.get(dialogId), ...vars });
    this.#callSubject.next(this.#callSubject.value);
  }

  adjustHeight(): void {
    /* a plain page sizes the element itself */
  }

  dispose(): void {
    this.#disposed = true;
    this.#subscription?.unsubscribe();
    this.#stream?.dispose();
    this.#callSubject.complete();
    this.#connectionSubject.complete();
    this.#errorsSubject.complete();
  }

  #decorate(call: CallInfo): CallInfo {
    const local = this.#localVariables.get(call.dialogId);
    // after a transfer the caller has left the agent: the agent's leg is over
    const state = this.#transferred.has(call.dialogId) ? 'DROPPED' : call.state;
    return local || state !== call.state
      ? { ...call, state, callVariables: { ...call.callVariables, ...local } }
      : call;
  }
}

function fromStatic(call: StandaloneCall): CallInfo {
  return {
    dialogId: call.dialogId,
    state: call.state ?? 'ACTIVE',
    ani: call.ani ?? '',
    dialedNumber: call.dialedNumber ?? '',
    callVariables: { ...call.callVariables },
    actions: [],
  };
}

/** `voice.state` on the interaction server is free text: map it onto Finesse's states. */
export function voiceState(value: unknown): CallState {
  const s = typeof value === 'string' ? value.trim().toUpperCase() : '';
  if (s === '' || s === 'CONNECTED' || s === 'TALKING' || s === 'ESTABLISHED') return 'ACTIVE';
  if (s === 'ENDED' || s === 'RELEASED' || s === 'DISCONNECTED' || s === 'CLOSED') return 'DROPPED';
  if (s === 'RINGING') return 'ALERTING';
  return s;
}

function fromProperties(p: Readonly<Properties>): CallInfo | null {
  const dialogId = p[Props.voiceDialogId];
  if (typeof dialogId !== 'string' || !dialogId) return null;
  const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
  const callVariables: Record<string, string> = {};
  for (const [k, v] of Object.entries(p)) {
    // call/ECC variables mirrored by the interaction server as voice.var.<name>
    if (k.startsWith('voice.var.')) callVariables[k.slice('voice.var.'.length)] = text(v);
  }
  return {
    dialogId,
    state: voiceState(p[Props.voiceState]),
    ani: text(p[Props.voiceAni]),
    dialedNumber: text(p[Props.voiceDialedNumber]),
    callVariables,
    actions: [],
  };
}
