/**
 * The mocked PCS (ExpertFlow post-call survey) pair: pcs-a and pcs-b behind a virtual IP,
 * primary/standby by a lease in a shared store (the seed's shared MS SQL). The primary renews
 * its lease every leaseMs / 3; when it stops (killed, frozen) the standby takes the lease over
 * with epoch + 1. Survey requests live in the shared store, so a request made on the old primary
 * is still there, and still progressing, after a failover — unless `pcsSharedStore: false`, which
 * gives each node its own store so the client's re-submit path can be exercised.
 * The rules (seed surveys, IVR steps, gadget events, scores, error statuses) are
 * src/backend/rules.ts, which the reference cluster uses too.
 */
import { HttpResponse } from 'msw';
import type { Subject } from 'rxjs';
import {
  answerCode,
  errorMessageOf,
  gadgetEvent,
  httpStatusFor as statusFor,
  ivrStep,
  nextStepAfterStep,
  scoreFor,
  seededSurveys,
  type GadgetSurveyEvent,
} from '../backend/rules.js';
import { Limits } from '../protocol/limits.js';
import {
  PcsEvents as E,
  pcsSubscribe,
  surveyRequestBody,
  surveyRequestEvent,
  type NodeStatus,
  type SurveyRequestAnswer,
  type SurveyRequestBody,
  type SurveyStatusEvent,
} from '../protocol/wire.js';
import { answer, errorAnswer, MockFault, newId, parse } from './common.js';
import { SioEndpoint } from './endpoint.js';
import type { MockEvent } from './events.js';
import type { Timers } from './timers.js';
import type { Misbehaviour, PcsNodeInfo, SurveyRequestRecord } from '../backend/backend.js';

export type { Misbehaviour, PcsNodeInfo, SurveyRequestRecord };

interface StoredRequest {
  record: SurveyRequestRecord;
  nextStepAt: number | null;
}

/** A request store; with a shared store both nodes hold the same instance. */
class RequestStore {
  readonly byId = new Map<string, StoredRequest>();
  readonly byKey = new Map<string, string>();
  readonly #listeners = new Set<(r: SurveyRequestRecord) => void>();

  onChange(fn: (r: SurveyRequestRecord) => void): void {
    this.#listeners.add(fn);
  }

  changed(r: StoredRequest): void {
    for (const fn of this.#listeners) fn(r.record);
  }

  /**
   * Records a gadget event (transferred | armed | cancelled). After `transferred` the call is at
   * the survey IVR, which picks it up a step later. `armed` only marks the call: the survey
   * plays when the agent hangs up (`callEnded`), not before.
   */
  applyEvent(r: StoredRequest, event: GadgetSurveyEvent, now: number, stepMs: number): void {
    // The mock has calls (the fake Finesse): an armed one waits for its hang-up.
    const change = gadgetEvent(r.record.status, event, true);
    if (!change) return;
    r.record.status = change.status;
    r.record.updatedAt = now;
    if (change.nextStep === 'start') r.nextStepAt = now + stepMs;
    else if (change.nextStep === 'stop') r.nextStepAt = null;
    // 'keep' ('armed') leaves a step the hang-up already scheduled alone
    this.changed(r);
  }

  /** The call reached the survey IVR: by a transfer to its DN, or by a hang-up on a marked call. */
  callReachedIvr(
    r: StoredRequest,
    how: 'transferred' | 'armed',
    now: number,
    stepMs: number,
  ): void {
    const status = r.record.status;
    if (!['requested', 'armed', 'transferred'].includes(status) || r.nextStepAt !== null) return;
    if (status === 'requested' || (how === 'transferred' && status === 'armed')) {
      r.record.status = how;
      r.record.updatedAt = now;
    }
    r.nextStepAt = now + stepMs;
    this.changed(r);
  }

  /** Moves due requests one step along offered -> in-progress -> completed. */
  advanceDue(now: number, stepMs: number): void {
    for (const r of this.byId.values()) {
      if (r.nextStepAt !== null && r.nextStepAt <= now) this.advance(r, now, stepMs);
    }
  }

  /** One IVR step (by the IVR, or by hand with `pcs.ivr`); false when there is none. */
  advance(r: StoredRequest, now: number, stepMs: number): boolean {
    const status = ivrStep(r.record.status);
    if (!status) {
      r.nextStepAt = null;
      return false;
    }
    r.record.status = status;
    r.record.updatedAt = now;
    if (status === 'completed') r.record.score = scoreFor(r.record.requestId);
    r.nextStepAt = nextStepAfterStep(status, now, stepMs);
    this.changed(r);
    return true;
  }
}

interface Lease {
  holder: string | null;
  epoch: number;
  leaseUntil: number;
}

class PcsNode {
  readonly url: string;
  readonly endpoint: SioEndpoint;
  role: 'primary' | 'standby' = 'standby';
  epoch = 0;
  leaseUntil = 0;
  /** the stale side of a split brain: cut off from the store, it keeps claiming primary */
  splitBrain = false;
  misbehave: Misbehaviour = null;
  /** HTTP requests that arrived while frozen: they wait, as on a SIGSTOPped process */
  readonly held = new Set<() => void>();

  constructor(
    readonly id: string,
    readonly store: RequestStore,
    timers: Timers,
    validToken: (t: string | undefined) => boolean,
    private readonly cluster: PcsCluster,
  ) {
    this.url = `http://${id}.mock.test`;
    this.endpoint = new SioEndpoint({
      id,
      timers,
      validToken,
      setup: (socket) => {
        socket.on(E.subscribe, (payload, ack) =>
          answer(ack, () => {
            const { requestIds } = parse(pcsSubscribe(payload));
            const requests: SurveyRequestAnswer[] = [];
            for (const requestId of requestIds) {
              socket.rooms.add(`r:${requestId}`);
              const r = this.store.byId.get(requestId);
              if (r) requests.push(toAnswer(r.record));
            }
            return { ok: true, requests };
          }),
        );
        socket.on(E.heartbeat, (_payload, ack) =>
          answer(ack, () => ({ ok: true, t: Date.now(), instanceId: id })),
        );
      },
    });
    store.onChange((record) => {
      const event: SurveyStatusEvent = {
        requestId: record.requestId,
        status: record.status,
        nodeId: id,
        epoch: this.epoch,
      };
      if (record.score !== undefined) event.score = record.score;
      this.endpoint.toRoom(`r:${record.requestId}`, E.status, event);
    });
  }

  get alive(): boolean {
    return this.endpoint.alive;
  }

  get frozen(): boolean {
    return this.endpoint.frozen;
  }

  isPrimary(now = Date.now()): boolean {
    if (!this.alive) return false;
    return this.splitBrain || (this.role === 'primary' && this.leaseUntil > now);
  }

  status(now = Date.now()): NodeStatus {
    const primary = this.isPrimary(now);
    return {
      nodeId: this.id,
      role: primary ? 'primary' : 'standby',
      epoch: this.epoch,
      leaseUntil: primary ? this.leaseUntil : 0,
    };
  }

  /** Refuses a write unless the store still names this node (fencing). */
  assertPrimary(now: number): void {
    if (this.splitBrain) return;
    const lease = this.cluster.lease;
    if (!this.alive || lease.holder !== this.id || lease.leaseUntil < now) {
      this.role = 'standby';
      throw new MockFault('not-primary', `${this.id} is not the primary`);
    }
  }
}

export class PcsCluster {
  readonly nodes: PcsNode[];
  readonly lease: Lease = { holder: null, epoch: 0, leaseUntil: 0 };
  readonly #stores: RequestStore[];

  constructor(
    private readonly o: {
      timers: Timers;
      validToken: (t: string | undefined) => boolean;
      leaseMs: number;
      ivrStepMs: number;
      sharedStore: boolean;
      events: Subject<MockEvent>;
      onRequestChange?: (r: SurveyRequestRecord) => void;
    },
  ) {
    const shared = new RequestStore();
    this.#stores = o.sharedStore ? [shared] : [shared, new RequestStore()];
    this.nodes = ['pcs-a', 'pcs-b'].map(
      (id, i) => new PcsNode(id, this.#stores[i] ?? shared, o.timers, o.validToken, this),
    );
    for (const store of this.#stores) {
      store.onChange((r) => {
        o.events.next({
          type: 'survey-status',
          requestId: r.requestId,
          status: r.status,
          score: r.score,
        });
        o.onRequestChange?.(r);
      });
    }
    // pcs-a first, so it deterministically holds the first lease (epoch 1).
    const now = Date.now();
    for (const n of this.nodes) this.#leaseTick(n, now);
    o.timers.interval(
      () => {
        const t = Date.now();
        for (const n of this.nodes) this.#leaseTick(n, t);
      },
      Math.max(50, Math.floor(o.leaseMs / 3)),
    );
    o.timers.interval(
      () => {
        const t = Date.now();
        for (const n of this.nodes)
          if (!n.frozen && n.isPrimary(t)) n.store.advanceDue(t, o.ivrStepMs);
      },
      Math.max(20, Math.min(100, o.ivrStepMs / 2)),
    );
  }

  node(id: string): PcsNode {
    const n = this.nodes.find((x) => x.id === id);
    if (!n) throw new MockFault('not-found', `no PCS node ${id}`);
    return n;
  }

  /** Renew our lease, take an expired one over with epoch + 1, or stay standby. */
  #leaseTick(n: PcsNode, now: number): void {
    if (!n.alive || n.frozen) return;
    if (n.splitBrain) {
      n.leaseUntil = now + this.o.leaseMs;
      return;
    }
    const lease = this.lease;
    if (lease.holder === n.id || lease.leaseUntil < now) {
      const takeover = lease.holder !== n.id;
      const epoch = takeover ? lease.epoch + 1 : lease.epoch;
      Object.assign(lease, { holder: n.id, epoch, leaseUntil: now + this.o.leaseMs });
      Object.assign(n, { role: 'primary', epoch, leaseUntil: now + this.o.leaseMs });
      if (takeover) this.o.events.next({ type: 'pcs-primary', nodeId: n.id, epoch });
    } else {
      Object.assign(n, { role: 'standby', epoch: lease.epoch, leaseUntil: lease.leaseUntil });
    }
  }

  /** The node the virtual IP points at: the highest-epoch primary, else any live node. */
  vipTarget(): PcsNode | undefined {
    const now = Date.now();
    const primaries = this.nodes.filter((n) => n.isPrimary(now)).sort((a, b) => b.epoch - a.epoch);
    return primaries[0] ?? this.nodes.find((n) => n.alive);
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  async handle(node: PcsNode | undefined, request: Request): Promise<Response> {
    if (!node || !node.alive) return HttpResponse.error(); // nothing listens: connection refused
    if (node.frozen) {
      // A stopped process: the request waits until it resumes (or dies, or the mock stops).
      await new Promise<void>((resolve) => node.held.add(resolve));
      if (!node.alive || this.#stopped) return HttpResponse.error();
    }
    if (node.misbehave === '5xx')
      return json(500, { ok: false, error: { code: 'internal', message: 'injected failure' } });
    if (node.misbehave === 'garbage') {
      return new HttpResponse('{"nodeId": <garbage', {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
      });
    }
    try {
      return await this.#route(node, request);
    } catch (e) {
      const code = e instanceof MockFault ? answerCode(e.code) : 'internal';
      return json(statusFor(code), errorAnswer(code, errorMessageOf(e)));
    }
  }

  async #route(node: PcsNode, request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname;
    const method = request.method;
    if (method === 'OPTIONS') return new HttpResponse(null, { status: 204 });
    if (method === 'GET' && path === '/status') return json(200, node.status());
    const auth = request.headers.get('Authorization') ?? '';
    const token = /^Bearer (.+)$/.exec(auth)?.[1];
    if (!this.o.validToken(token))
      throw new MockFault('unauthorized', 'a valid Bearer token is required');

    if (method === 'GET' && path === '/surveys') {
      const dn = url.searchParams.get('dialedNumber');
      if (!dn || dn.length > 32) throw new MockFault('bad-request', 'dialedNumber is required');
      return json(200, { survey: seededSurveys.find((s) => s.dialedNumber === dn) ?? null });
    }
    if (method === 'POST' && path === '/survey-requests') {
      const body = parse(surveyRequestBody(await readJson(request)));
      const { record, created } = this.#create(node, body, Date.now());
      return json(created ? 201 : 200, toAnswer(record));
    }
    const m = /^\/survey-requests\/([^/]{1,128})(\/events)?$/.exec(path);
    if (m) {
      const requestId = safeDecode(m[1]!);
      if (method === 'GET' && !m[2]) {
        const r = node.store.byId.get(requestId);
        if (!r) throw new MockFault('not-found', `no survey request ${requestId}`);
        return json(200, toAnswer(r.record));
      }
      if (method === 'POST' && m[2]) {
        const { event } = parse(surveyRequestEvent(await readJson(request)));
        const now = Date.now();
        node.assertPrimary(now);
        const r = node.store.byId.get(requestId);
        if (!r) throw new MockFault('not-found', `no survey request ${requestId}`);
        node.store.applyEvent(r, event, now, this.o.ivrStepMs);
        return json(200, toAnswer(r.record));
      }
    }
    throw new MockFault('not-found', `no route ${method} ${path.slice(0, 100)}`);
  }

  #create(
    node: PcsNode,
    body: SurveyRequestBody,
    now: number,
  ): { record: SurveyRequestRecord; created: boolean } {
    node.assertPrimary(now);
    const existingId = node.store.byKey.get(body.idempotencyKey);
    const existing = existingId === undefined ? undefined : node.store.byId.get(existingId);
    if (existing) return { record: existing.record, created: false };
    const survey = seededSurveys.find((s) => s.id === body.surveyId);
    if (!survey) throw new MockFault('not-found', `no survey ${body.surveyId}`);
    if (survey.dialedNumber !== body.dialedNumber)
      throw new MockFault('bad-request', `survey ${survey.id} is not for ${body.dialedNumber}`);
    if (!survey.channels.includes(body.channel))
      throw new MockFault('bad-request', `survey ${survey.id} has no ${body.channel} channel`);
    if (body.channel === 'sms' && !body.smsNumber)
      throw new MockFault('bad-request', 'the sms channel needs smsNumber');
    const requestId = newId('sr');
    const callVariables: Record<string, string> = {
      // Cisco CVP's native post-call survey flag: the main script routes to the survey on hang-up.
      'user.microapp.isPostCallSurvey': 'y',
      'user.pcs.requestId': requestId,
      'user.pcs.surveyId': survey.id,
      'user.pcs.language': body.language,
      'user.pcs.channel': body.channel,
    };
    if (body.smsNumber) callVariables['user.pcs.smsNumber'] = body.smsNumber;
    const record: SurveyRequestRecord = {
      ...body,
      requestId,
      status: 'requested',
      transfer: { dn: survey.surveyDn, callVariables },
      nodeId: node.id,
      epoch: node.epoch,
      createdAt: now,
      updatedAt: now,
    };
    const stored = { record, nextStepAt: null };
    node.store.byId.set(requestId, stored);
    node.store.byKey.set(body.idempotencyKey, requestId);
    node.store.changed(stored);
    return { record, created: true };
  }

  // ---- the mock IVR, driven by the fake Finesse ----------------------------------------------

  /** The call reached the survey IVR (a transfer to its DN, or a hang-up on a marked call). */
  ivrReached(requestId: string, how: 'transferred' | 'armed'): void {
    for (const store of this.#stores) {
      const r = store.byId.get(requestId);
      if (r) store.callReachedIvr(r, how, Date.now(), this.o.ivrStepMs);
    }
  }

  /** Requests made for a call (a hang-up without the request id in its variables still counts). */
  requestsForDialog(dialogId: string): string[] {
    const ids = new Set<string>();
    for (const store of this.#stores)
      for (const r of store.byId.values())
        if (r.record.dialogId === dialogId) ids.add(r.record.requestId);
    return [...ids];
  }

  // ---- control verbs ------------------------------------------------------------------------

  kill(id: string): void {
    const n = this.node(id);
    if (!n.alive) return;
    n.endpoint.kill();
    n.splitBrain = false;
    n.role = 'standby';
    this.#release(n);
    this.o.events.next({ type: 'pcs-killed', nodeId: id });
  }

  revive(id: string): void {
    const n = this.node(id);
    if (n.alive) return;
    n.endpoint.revive();
    this.#leaseTick(n, Date.now());
    this.o.events.next({ type: 'pcs-revived', nodeId: id });
  }

  freeze(id: string): void {
    const n = this.node(id);
    if (!n.alive || n.frozen) return;
    n.endpoint.freeze();
    this.o.events.next({ type: 'pcs-frozen', nodeId: id });
  }

  unfreeze(id: string): void {
    const n = this.node(id);
    if (!n.frozen) return;
    n.endpoint.unfreeze();
    this.#leaseTick(n, Date.now());
    this.#release(n);
    // Changes made meanwhile were not pushed (the process was stopped): catch the subscribers up.
    for (const r of n.store.byId.values()) n.store.changed(r);
    this.o.events.next({ type: 'pcs-unfrozen', nodeId: id });
  }

  /** Both nodes claim primary: the fresh one takes the lease with epoch + 1, the old keeps its epoch. */
  splitBrain(): PcsNodeInfo[] {
    const now = Date.now();
    const stale = this.nodes.find((n) => n.isPrimary(now) && !n.frozen);
    const fresh = this.nodes.find((n) => n !== stale && n.alive && !n.frozen);
    if (!stale || !fresh)
      throw new MockFault('closed', 'split brain needs a running primary and a running standby');
    stale.splitBrain = true;
    const epoch = this.lease.epoch + 1;
    Object.assign(this.lease, { holder: fresh.id, epoch, leaseUntil: now + this.o.leaseMs });
    Object.assign(fresh, { role: 'primary', epoch, leaseUntil: now + this.o.leaseMs });
    this.o.events.next({ type: 'pcs-split-brain', stale: stale.id, fresh: fresh.id });
    this.o.events.next({ type: 'pcs-primary', nodeId: fresh.id, epoch });
    return this.info();
  }

  /** Ends a split brain: the stale side sees the store again and steps down. */
  heal(): PcsNodeInfo[] {
    const now = Date.now();
    for (const n of this.nodes) {
      n.splitBrain = false;
      this.#leaseTick(n, now);
    }
    return this.info();
  }

  misbehave(id: string, mode: Misbehaviour): void {
    this.node(id).misbehave = mode === 'garbage' || mode === '5xx' ? mode : null;
  }

  /** The simulated IVR takes one step for this request now (as the cluster's `pcs.ivr`). */
  ivr(requestId: string): SurveyRequestRecord {
    let found: SurveyRequestRecord | undefined;
    for (const store of this.#stores) {
      const r = store.byId.get(requestId);
      if (!r) continue;
      store.advance(r, Date.now(), this.o.ivrStepMs);
      found ??= { ...r.record };
    }
    if (!found) throw new MockFault('not-found', `no survey request ${requestId}`);
    return found;
  }

  requests(): SurveyRequestRecord[] {
    const seen = new Map<string, SurveyRequestRecord>();
    for (const store of this.#stores)
      for (const r of store.byId.values()) seen.set(r.record.requestId, { ...r.record });
    return [...seen.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  info(): PcsNodeInfo[] {
    const now = Date.now();
    return this.nodes.map((n) => {
      const { role, epoch, leaseUntil } = n.status(now);
      return { id: n.id, url: n.url, role, epoch, leaseUntil, alive: n.alive, frozen: n.frozen };
    });
  }

  #stopped = false;

  /** Lets held requests go (they fail, like a process that died while stopped). */
  #release(n: PcsNode): void {
    const held = [...n.held];
    n.held.clear();
    for (const resolve of held) resolve();
  }

  stop(): void {
    this.#stopped = true;
    for (const n of this.nodes) {
      n.endpoint.stop();
      this.#release(n);
    }
  }
}

function toAnswer(r: SurveyRequestRecord): SurveyRequestAnswer {
  const a: SurveyRequestAnswer = {
    requestId: r.requestId,
    idempotencyKey: r.idempotencyKey,
    status: r.status,
    transfer: { dn: r.transfer.dn, callVariables: { ...r.transfer.callVariables } },
  };
  if (r.score !== undefined) a.score = r.score;
  return a;
}

function json(status: number, body: unknown): Response {
  return HttpResponse.json(body as Record<string, unknown>, {
    status,
    headers: { 'Cache-Control': 'no-store' },
  });
}

async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.length > Limits.maxPayloadBytes)
    throw new MockFault('too-large', `body larger than ${Limits.maxPayloadBytes} bytes`);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new MockFault('bad-request', 'body is not valid JSON');
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
