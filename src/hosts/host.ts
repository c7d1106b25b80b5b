/**
 * Where a gadget lives. A `Host` hides the difference between Cisco Finesse (finesse.js +
 * gadgets.*) and a plain HTML page: it exposes the agent's current call as an Observable and
 * the few telephony actions a gadget needs.
 */
import type { Observable } from 'rxjs';
import { AgError, type AgErrorInfo, type ErrorCode } from '../protocol/errors.js';

/**
 * Finesse dialog / participant states (plus the ones a standalone host maps onto them).
 * Kept open (`string & {}`) because Finesse versions add states.
 */
export type CallState =
  | 'ALERTING'
  | 'INITIATING'
  | 'INITIATED'
  | 'ACTIVE'
  | 'HELD'
  | 'WRAP_UP'
  | 'DROPPED'
  | 'FAILED'
  | 'ACCEPTED'
  | (string & {});

/** The agent's current call, as a gadget sees it. */
export interface CallInfo {
  readonly dialogId: string;
  /** the agent's own leg state when known (Finesse), else the dialog's state */
  readonly state: CallState;
  /** caller's number (Finesse `fromAddress`) */
  readonly ani: string;
  /** the service the caller dialed: selects the survey */
  readonly dialedNumber: string;
  /** callVariable1..10 and ECC `user.*` variables */
  readonly callVariables: Readonly<Record<string, string>>;
  /** actions Finesse currently allows on the agent's leg (normalised to an array); empty when unknown */
  readonly actions: readonly string[];
}

export interface TransferOptions {
  /** consult first, then transfer (default: single-step transfer) */
  readonly consult?: boolean;
}

/** The host of a gadget: the current call and the actions on it. */
export interface Host {
  readonly kind: 'finesse' | 'standalone';
  /** the logged-in agent's id when the host knows it (Finesse: `finesse.gadget.Config.id`) */
  readonly agentId?: string;
  /** the agent's locale when the host knows it (Finesse: `de_DE`); the gadget's default language */
  readonly locale?: string;
  /** the current call (null when the agent has none); replays the latest value */
  readonly call$: Observable<CallInfo | null>;
  /** whether the host's own back end (Finesse notifications) is connected; replays the latest value */
  readonly connection$: Observable<boolean>;
  /** problems the host cannot recover from by itself (e.g. Finesse could not load the agent) */
  readonly errors$?: Observable<AgErrorInfo>;
  /** starts watching (idempotent) */
  start(): void;
  /** transfers the caller on `dialogId` to `dn`; rejects with a {@link HostActionError} */
  transfer(dialogId: string, dn: string, options?: TransferOptions): Promise<void>;
  /** sets call / ECC variables on `dialogId`; rejects with a {@link HostActionError} */
  updateCallVariables(dialogId: string, vars: Readonly<Record<string, string>>): Promise<void>;
  /** asks the container to fit the gadget's height (no-op outside a container) */
  adjustHeight(): void;
  /** stops watching and releases every handler */
  dispose(): void;
}

/**
 * A rejected host action. `message` is the host's own text (e.g. Finesse's `ErrorMessage`), so
 * the gadget can show the agent exactly what Finesse said.
 */
export class HostActionError extends AgError {
  constructor(
    code: ErrorCode,
    message: string,
    /** HTTP status from Finesse, when there was one */
    readonly status?: number,
    /** Finesse `ErrorType`, e.g. `Invalid State` */
    readonly errorType?: string,
  ) {
    super(code, message);
    this.name = 'HostActionError';
  }
}
