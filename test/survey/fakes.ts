// Test doubles for SurveySession and the gadget: a Host whose call, connection and action
// answers the test drives, and a PCS client whose answers the test releases one by one.
import { BehaviorSubject, Subject, distinctUntilChanged, map, type Observable } from 'rxjs';
import type { ConnectionStatus, Endpoint } from '../../src/core/state.js';
import type { CallInfo, Host, TransferOptions } from '../../src/hosts/host.js';
import type { AgErrorInfo } from '../../src/protocol/errors.js';
import type {
  Survey,
  SurveyRequestAnswer,
  SurveyRequestBody,
  SurveyRequestEvent,
} from '../../src/protocol/wire.js';
import type { PcsHealth, TrackedRequest } from '../../src/survey/pcs-client.js';
import type { SurveyPcs } from '../../src/survey/survey-session.js';

/** A promise the test settles. */
export class Deferred<T> {
  resolve!: (value: T) => void;
  reject!: (e: unknown) => void;
  readonly promise = new Promise<T>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });
}

export interface HostAction {
  readonly kind: 'transfer' | 'variables';
  readonly dialogId: string;
  readonly dn?: string;
  readonly vars?: Readonly<Record<string, string>>;
  readonly options?: TransferOptions;
  /** settle it to confirm or refuse the action, as Finesse would */
  readonly answer: Deferred<void>;
}

export function call(over: Partial<CallInfo> = {}): CallInfo {
  return {
    dialogId: '10001',
    state: 'ACTIVE',
    ani: '5551234567',
    dialedNumber: '8000',
    callVariables: {},
    actions: [],
    ...over,
  };
}

/** A Host the test drives: `call`, `connected`, and every action waits for the test's answer. */
export class FakeHost implements Host {
  readonly kind = 'finesse' as const;
  readonly agentId = 'agent1';
  readonly calls = new BehaviorSubject<CallInfo | null>(null);
  readonly connected = new BehaviorSubject<boolean>(true);
  readonly actions: HostAction[] = [];
  /** settle actions at once with success (component tests that only care about some) */
  autoConfirm = false;
  started = 0;
  disposed = false;
  readonly call$: Observable<CallInfo | null>;
  readonly connection$: Observable<boolean>;

  constructor(calls$?: Observable<CallInfo | null>, connection$?: Observable<boolean>) {
    this.call$ = calls$ ?? this.calls.asObservable();
    this.connection$ = connection$ ?? this.connected.pipe(distinctUntilChanged());
  }

  start(): void {
    this.started++;
  }
  transfer(dialogId: string, dn: string, options?: TransferOptions): Promise<void> {
    return this.act({ kind: 'transfer', dialogId, dn, ...(options ? { options } : {}) });
  }
  updateCallVariables(dialogId: string, vars: Readonly<Record<string, string>>): Promise<void> {
    return this.act({ kind: 'variables', dialogId, vars });
  }
  adjustHeight(): void {}
  dispose(): void {
    this.disposed = true;
  }

  private act(a: Omit<HostAction, 'answer'>): Promise<void> {
    const answer = new Deferred<void>();
    this.actions.push({ ...a, answer });
    if (this.autoConfirm) answer.resolve();
    return answer.promise;
  }
}

export const survey8000: Survey = {
  id: 'srv-8000',
  name: 'Customer satisfaction',
  dialedNumber: '8000',
  surveyDn: '9100',
  channels: ['ivr', 'sms'],
  languages: ['en'],
};

export function answerFor(body: SurveyRequestBody, requestId = 'r-1'): SurveyRequestAnswer {
  return {
    requestId,
    idempotencyKey: body.idempotencyKey,
    status: 'requested',
    transfer: { dn: '9100', callVariables: { callVariable9: requestId } },
  };
}

/** A PCS client the test answers: each submit waits for `answerSubmit()`. */
export class FakePcs implements SurveyPcs {
  readonly statusSubject = new Subject<ConnectionStatus>();
  readonly endpointSubject = new BehaviorSubject<Endpoint | null>(null);
  readonly healthSubject = new BehaviorSubject<PcsHealth>('ok');
  readonly errorsSubject = new Subject<AgErrorInfo>();
  private readonly all = new BehaviorSubject<ReadonlyMap<string, TrackedRequest>>(new Map());
  readonly submits: { body: SurveyRequestBody; answer: Deferred<SurveyRequestAnswer> }[] = [];
  readonly events: { key: string; event: SurveyRequestEvent['event'] }[] = [];
  readonly released: string[] = [];
  lookups: string[] = [];
  survey: Survey | null = survey8000;
  started = 0;
  disposed = false;

  readonly status$: Observable<ConnectionStatus>;
  readonly endpoint$ = this.endpointSubject.asObservable();
  readonly health$ = this.healthSubject.asObservable();
  readonly errors$ = this.errorsSubject.asObservable();

  constructor(status$?: Observable<ConnectionStatus>) {
    this.status$ = status$ ?? this.statusSubject.asObservable();
  }

  get requests(): ReadonlyMap<string, TrackedRequest> {
    return this.all.value;
  }
  start(): void {
    this.started++;
  }
  lookupSurvey(dialedNumber: string): Promise<Survey | null> {
    this.lookups.push(dialedNumber);
    return Promise.resolve(this.survey);
  }
  submit(body: SurveyRequestBody): Promise<SurveyRequestAnswer> {
    const key = body.idempotencyKey;
    if (!this.requests.get(key)) this.put({ key, body, reported: [] });
    const answer = new Deferred<SurveyRequestAnswer>();
    this.submits.push({ body, answer });
    return answer.promise.then((a) => {
      this.setAnswer(key, a);
      return a;
    });
  }
  reportEvent(key: string, event: SurveyRequestEvent['event']): Promise<SurveyRequestAnswer> {
    this.events.push({ key, event });
    const t = this.requests.get(key)!;
    const answer = { ...t.answer!, status: event };
    this.setAnswer(key, answer);
    return Promise.resolve(answer);
  }
  request$(key: string): Observable<TrackedRequest | undefined> {
    return this.all.pipe(
      map((m) => m.get(key)),
      distinctUntilChanged(),
    );
  }
  release(key: string): void {
    this.released.push(key);
  }
  dispose(): void {
    this.disposed = true;
  }

  /** What PCS says about a request now (a push, or a failover's re-created request). */
  setAnswer(key: string, answer: SurveyRequestAnswer): void {
    const t = this.requests.get(key);
    if (t) this.put({ ...t, answer });
  }
  /** Answers the latest submit the way PCS does: the same request for the same key. */
  answerSubmit(requestId = 'r-1'): SurveyRequestAnswer {
    const last = this.submits[this.submits.length - 1]!;
    const known = this.requests.get(last.body.idempotencyKey)?.answer;
    const answer = known ?? answerFor(last.body, requestId);
    last.answer.resolve(answer);
    return answer;
  }

  private put(t: TrackedRequest): void {
    const next = new Map(this.all.value);
    next.set(t.key, t);
    this.all.next(next);
  }
}

/** Lets every settled promise run its continuation (no time passes). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise((r) => setTimeout(r, 0));
}
