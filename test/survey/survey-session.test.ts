// SurveySession without a DOM: virtual time (TestScheduler) for its streams, and the request
// workflow against a test Host and a test PCS whose answers the test releases step by step.
import { expect } from '@open-wc/testing';
import { distinctUntilChanged, map } from 'rxjs';
import { testScheduler } from '../core/marbles.js';
import { HostActionError, type CallInfo } from '../../src/hosts/host.js';
import type { AgErrorInfo } from '../../src/protocol/errors.js';
import type { ConnectionStatus } from '../../src/core/state.js';
import { SurveySession, type SurveySessionOptions } from '../../src/survey/survey-session.js';
import { FakeHost, FakePcs, call, settle } from './fakes.js';

const form = { channel: 'ivr', language: 'en', smsNumber: '' } as const;

function session(
  o: Omit<Partial<SurveySessionOptions>, 'host' | 'pcs'> & { host: FakeHost; pcs: FakePcs },
) {
  return new SurveySession({ mode: 'transfer', ...o });
}

describe('SurveySession (virtual time)', () => {
  it('relocations: gapMs on the injected scheduler, from losing node A to connected on B', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const statuses: Record<string, ConnectionStatus> = {
        a: { state: 'connected', endpoint: 'pcs-a' },
        r: { state: 'reconnecting', reason: 'failover', previousEndpoint: 'pcs-a' },
        b: { state: 'connected', endpoint: 'pcs-b', previousEndpoint: 'pcs-a' },
      };
      const status$ = hot('-a 9ms r 29ms r 9ms b', statuses);
      const s = session({ host: new FakeHost(), pcs: new FakePcs(status$), scheduler: ts });
      // the owner sees every transition, and the relocation once, 40 ms after the loss
      expectObservable(s.status$.pipe(map((x) => x.state[0]))).toBe('-c 9ms r 29ms r 9ms c');
      expectObservable(s.relocated$).toBe('51ms x', {
        x: { from: 'pcs-a', to: 'pcs-b', gapMs: 40 },
      });
      s.start();
    });
  });

  it('a reconnect to the same node is not a relocation; a failed status is an error', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const error = { code: 'unauthorized', message: 'PCS refused the credentials' } as const;
      const status$ = hot('-a-r-a-f', {
        a: { state: 'connected', endpoint: 'pcs-a' },
        r: { state: 'reconnecting', reason: 'lost' },
        f: { state: 'failed', error },
      } satisfies Record<string, ConnectionStatus>);
      const s = session({ host: new FakeHost(), pcs: new FakePcs(status$), scheduler: ts });
      expectObservable(s.relocated$).toBe('');
      expectObservable(s.errors$).toBe('-------e', { e: error });
      s.start();
    });
  });

  it('the view follows the host; an early unsubscriber stops there, dispose ends every subscription', () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const calls: Record<string, CallInfo | null> = {
        n: null,
        c: call(),
        d: call({ dialogId: 'x' }),
      };
      const call$ = hot('n-c--d---c', calls);
      const connection$ = hot('t--f-t', { t: true, f: false });
      const status$ = hot<ConnectionStatus>('-a', { a: { state: 'connected', endpoint: 'pcs-a' } });
      const host = new FakeHost(call$, connection$);
      const pcs = new FakePcs(status$);
      const s = session({ host, pcs, scheduler: ts });
      const dialog = s.view$.pipe(
        map((v) => v.call?.dialogId ?? '-'),
        distinctUntilChanged(),
      );
      // an early unsubscriber sees the values up to its unsubscription, nothing after
      expectObservable(dialog, '^ 3ms !').toBe('n-c', { n: '-', c: '10001' });
      const reason = s.view$.pipe(
        map((v) => (v.hostConnected ? 'y' : 'n')),
        distinctUntilChanged(),
      );
      expectObservable(reason, '^ 6ms !').toBe('y--n-y');
      // a failover after the host connected once is news (host-disconnected), start-up is not
      expectObservable(s.errors$.pipe(map((e) => e.code))).toBe('---h-----|', {
        h: 'host-disconnected',
      });
      s.start();
      cold('9ms x').subscribe(() => s.dispose());
      expectSubscriptions(call$.subscriptions).toBe('^--------!');
      expectSubscriptions(connection$.subscriptions).toBe('^--------!');
      expectSubscriptions(status$.subscriptions).toBe('^--------!');
    });
  });
});

describe('SurveySession workflow', () => {
  let host: FakeHost;
  let pcs: FakePcs;
  let s: SurveySession;
  let errors: AgErrorInfo[];

  async function withSurvey(c: CallInfo = call()) {
    s.start();
    host.calls.next(c);
    await settle();
    expect(s.view.survey?.id).to.equal('srv-8000');
  }

  beforeEach(() => {
    host = new FakeHost();
    pcs = new FakePcs();
    errors = [];
  });
  afterEach(() => s.dispose());

  function make(o: Omit<Partial<SurveySessionOptions>, 'host' | 'pcs'> = {}) {
    s = session({ host, pcs, ...o });
    s.errors$.subscribe((e) => errors.push(e));
  }

  it('transfer: success only when the host confirms; PCS hears transferred only then', async () => {
    make();
    const transferred: string[] = [];
    s.transferred$.subscribe((t) => transferred.push(t.dn));
    await withSurvey(call({ actions: ['TRANSFER_SST', 'RELEASE'] }));
    const done = s.requestSurvey(form);
    await settle();
    expect(s.view.phase).to.equal('requesting');
    pcs.answerSubmit();
    await settle();
    expect(host.actions.map((a) => a.kind)).to.deep.equal(['variables']);
    expect(host.actions[0]!.vars).to.deep.equal({ callVariable9: 'r-1' });
    host.actions[0]!.answer.resolve();
    await settle();
    expect(s.view.phase).to.equal('transferring');
    expect(host.actions[1]).to.include({ kind: 'transfer', dn: '9100' });
    // the 202 is not the transfer: nothing is reported until the host's promise resolves
    expect(pcs.events).to.deep.equal([]);
    expect(transferred).to.deep.equal([]);
    host.actions[1]!.answer.resolve();
    await done;
    expect(s.view.phase).to.equal('done');
    expect(s.surveyStatus).to.equal('transferred');
    expect(transferred).to.deep.equal(['9100']);
    expect(pcs.events.map((e) => e.event)).to.deep.equal(['transferred']);
  });

  it("a refused transfer: the host's code and words, nothing told to PCS, a retry reuses the request", async () => {
    make();
    await withSurvey();
    const first = s.requestSurvey(form);
    await settle();
    pcs.answerSubmit();
    await settle();
    host.actions[0]!.answer.resolve();
    await settle();
    host.actions[1]!.answer.reject(
      new HostActionError('transfer-rejected', 'The CTI server refused the transfer', 400),
    );
    await first;
    expect(s.view.phase).to.equal('failed');
    expect(errors).to.deep.equal([
      { code: 'transfer-rejected', message: 'The CTI server refused the transfer' },
    ]);
    expect(pcs.events).to.deep.equal([]);
    expect(s.surveyStatus).to.equal('requested');

    host.autoConfirm = true;
    const retry = s.requestSurvey(form);
    await settle();
    expect(pcs.submits[1]!.body.idempotencyKey).to.equal(pcs.submits[0]!.body.idempotencyKey);
    pcs.answerSubmit();
    await retry;
    expect(s.view.phase).to.equal('done');
    expect(pcs.events.map((e) => e.event)).to.deep.equal(['transferred']);
  });

  it('a refused variable update: call-variables-rejected, no transfer, the button can retry', async () => {
    make({ mode: 'hangup' });
    await withSurvey();
    const run = s.requestSurvey(form);
    await settle();
    pcs.answerSubmit();
    await settle();
    host.actions[0]!.answer.reject(
      new HostActionError('call-variables-rejected', 'Finesse did not answer in time'),
    );
    await run;
    expect(errors.map((e) => e.code)).to.deep.equal(['call-variables-rejected']);
    expect(errors[0]!.message).to.equal('Finesse did not answer in time');
    expect(host.actions).to.have.length(1);
    expect(pcs.events).to.deep.equal([]);
    expect(s.view.phase).to.equal('failed');
  });

  it('transfer is refused when the leg does not allow TRANSFER_SST (and offered when actions are unknown)', async () => {
    make();
    await withSurvey(call({ actions: ['HOLD', 'RELEASE'] }));
    await s.requestSurvey(form);
    expect(errors.map((e) => e.code)).to.deep.equal(['transfer-rejected']);
    expect(pcs.submits).to.have.length(0);
    host.calls.next(call({ actions: [] }));
    await settle();
    void s.requestSurvey(form);
    await settle();
    expect(pcs.submits).to.have.length(1);
  });

  /** A request whose PCS answer arrives while Finesse is failing over; resolves with its run. */
  const answeredInFailover = async () => {
    make();
    host.autoConfirm = true;
    await withSurvey();
    const run = s.requestSurvey(form);
    await settle();
    host.connected.next(false);
    pcs.answerSubmit();
    await settle();
    return { run };
  };

  it('Finesse failing over: the PCS answer waits; after recovery the same call goes on', async () => {
    const { run } = await answeredInFailover();
    expect(host.actions).to.have.length(0);
    expect(s.view.phase).to.equal('requesting');
    host.connected.next(true);
    host.calls.next(call());
    await run;
    expect(host.actions.map((a) => a.kind)).to.deep.equal(['variables', 'transfer']);
    expect(pcs.submits).to.have.length(1);
    expect(s.view.phase).to.equal('done');
  });

  it('a call that ended inside the failover is forgotten and its request cancelled', async () => {
    const { run } = await answeredInFailover();
    // recovery: Finesse re-reads the dialogs and the call is gone
    host.calls.next(null);
    host.connected.next(true);
    await run;
    await settle();
    expect(s.view.call).to.equal(null);
    expect(host.actions).to.have.length(0);
    expect(errors.map((e) => e.code)).to.include('call-dropped');
    expect(pcs.events.map((e) => e.event)).to.deep.equal(['cancelled']);
  });

  it('hangup: a failover that re-created the request re-arms the call with the new id', async () => {
    make({ mode: 'hangup' });
    host.autoConfirm = true;
    await withSurvey();
    await Promise.all([s.requestSurvey(form), settle().then(() => pcs.answerSubmit('r-1'))]);
    expect(s.surveyStatus).to.equal('armed');
    const key = pcs.submits[0]!.body.idempotencyKey;
    pcs.setAnswer(key, {
      requestId: 'r-2',
      idempotencyKey: key,
      status: 'armed',
      transfer: { dn: '9100', callVariables: { callVariable9: 'r-2' } },
    });
    await settle();
    expect(host.actions.at(-1)!.vars).to.deep.equal({
      callVariable9: 'r-2',
      'user.microapp.isPostCallSurvey': 'y',
    });
  });

  it('dispose: no event after it, PCS disposed, the host left to its owner', async () => {
    make();
    await withSurvey();
    const run = s.requestSurvey(form);
    await settle();
    let completed = 0;
    s.view$.subscribe({ complete: () => completed++ });
    s.dispose();
    pcs.answerSubmit();
    await run;
    expect(completed).to.equal(1);
    expect(pcs.disposed).to.equal(true);
    expect(host.disposed).to.equal(false);
    expect(host.actions).to.have.length(0);
  });
});
