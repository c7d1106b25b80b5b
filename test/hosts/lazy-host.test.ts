// LazyHost: the Finesse host code loaded on first use (a dynamic import, a chunk of its own in
// the survey bundle), with the loaded host's contract kept whenever the code arrives.
import { expect } from '@open-wc/testing';
import { BehaviorSubject, Subject, filter, firstValueFrom, toArray } from 'rxjs';
import { installFakeFinesse, type FakeFinesse } from '../../src/mocks/finesse/index.js';
import { HostActionError, type CallInfo, type Host } from '../../src/hosts/host.js';
import { LazyHost, lazyFinesseHost } from '../../src/hosts/lazy-host.js';
import { ErrorCodes, type AgErrorInfo } from '../../src/protocol/errors.js';

/** A host that records what is done to it. */
class RecordingHost implements Host {
  readonly kind = 'finesse' as const;
  readonly agentId = 'agent7';
  readonly locale = 'de_DE';
  readonly calls = new BehaviorSubject<CallInfo | null>(null);
  readonly connected = new BehaviorSubject(false);
  readonly problems = new Subject<AgErrorInfo>();
  readonly call$ = this.calls.asObservable();
  readonly connection$ = this.connected.asObservable();
  readonly errors$ = this.problems.asObservable();
  readonly log: string[] = [];
  start(): void {
    this.log.push('start');
  }
  async transfer(dialogId: string, dn: string): Promise<void> {
    this.log.push(`transfer ${dialogId} ${dn}`);
  }
  async updateCallVariables(dialogId: string, vars: Readonly<Record<string, string>>) {
    this.log.push(`vars ${dialogId} ${JSON.stringify(vars)}`);
  }
  adjustHeight(): void {
    this.log.push('height');
  }
  dispose(): void {
    this.log.push('dispose');
    this.calls.complete();
    this.connected.complete();
    this.problems.complete();
  }
}

/** A loader the test releases (or fails) when it wants. */
function deferredLoader<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  let loads = 0;
  return {
    load: () => {
      loads++;
      return promise;
    },
    resolve,
    reject,
    get loads() {
      return loads;
    },
  };
}

const call: CallInfo = {
  dialogId: 'd1',
  state: 'ACTIVE',
  ani: '5551234567',
  dialedNumber: '8000',
  callVariables: {},
  actions: ['TRANSFER_SST'],
};

describe('LazyHost', () => {
  it('starts the loaded host when its code arrives after start(), and replays its streams', async () => {
    const real = new RecordingHost();
    const loader = deferredLoader<Host>();
    const host = new LazyHost('finesse', loader.load);
    expect(host.kind).to.equal('finesse');
    expect(loader.loads).to.equal(1);
    host.start();
    host.start(); // idempotent, like the hosts it stands for
    const seen: (CallInfo | null)[] = [];
    const sub = host.call$.subscribe((c) => seen.push(c));
    expect(host.agentId).to.equal(undefined);
    expect(host.locale).to.equal(undefined);
    real.connected.next(true);
    real.calls.next(call);
    loader.resolve(real);
    expect(await firstValueFrom(host.connection$)).to.equal(true);
    expect(seen).to.deep.equal([call]);
    expect(real.log).to.deep.equal(['start']);
    expect(host.agentId).to.equal('agent7');
    expect(host.locale).to.equal('de_DE');
    real.calls.next(null);
    expect(seen).to.deep.equal([call, null]);
    sub.unsubscribe();
    host.dispose();
    expect(real.log).to.deep.equal(['start', 'dispose']);
  });

  it('lets actions and a height request wait for the code, then forwards them', async () => {
    const real = new RecordingHost();
    const loader = deferredLoader<Host>();
    const host = new LazyHost('finesse', loader.load);
    host.adjustHeight();
    const transferred = host.transfer('d1', '9000');
    const updated = host.updateCallVariables('d1', { callVariable9: 'survey' });
    loader.resolve(real);
    await Promise.all([transferred, updated]);
    expect(real.log).to.deep.equal([
      'height',
      'transfer d1 9000',
      'vars d1 {"callVariable9":"survey"}',
    ]);
    host.adjustHeight();
    expect(real.log.at(-1)).to.equal('height');
    host.dispose();
  });

  it('disposes a host whose code arrives after dispose(), without starting it', async () => {
    const real = new RecordingHost();
    const loader = deferredLoader<Host>();
    const host = new LazyHost('finesse', loader.load);
    host.start();
    const errors = firstValueFrom(host.errors$.pipe(toArray()));
    const calls = firstValueFrom(host.call$.pipe(toArray()));
    host.dispose();
    loader.resolve(real);
    expect(await errors).to.deep.equal([]);
    expect(await calls).to.deep.equal([]);
    expect(real.log).to.deep.equal(['dispose']);
  });

  it('reports code that cannot be loaded as bad-config, and rejects actions with it', async () => {
    const loader = deferredLoader<Host>();
    const host = new LazyHost('finesse', loader.load);
    host.start();
    const error = firstValueFrom(host.errors$);
    loader.reject(new TypeError('Failed to fetch dynamically imported module'));
    const e = await error;
    expect(e.code).to.equal(ErrorCodes.BadConfig);
    expect(e.message).to.contain('could not load the finesse host code');
    expect(e.message).to.contain('Failed to fetch');
    let rejected: unknown;
    await host.transfer('d1', '9000').catch((x: unknown) => (rejected = x));
    expect(rejected).to.be.instanceOf(HostActionError);
    expect((rejected as HostActionError).code).to.equal(ErrorCodes.BadConfig);
    host.dispose();
  });
});

describe('lazyFinesseHost', () => {
  let fake: FakeFinesse | undefined;
  afterEach(() => {
    fake?.uninstall();
    fake = undefined;
  });

  it('is refused at once, with bad-config, where finesse.js is not loaded', () => {
    let thrown: unknown;
    try {
      lazyFinesseHost();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).to.be.instanceOf(HostActionError);
    expect((thrown as HostActionError).code).to.equal(ErrorCodes.BadConfig);
  });

  it('loads the real FinesseHost and reads the call through it', async () => {
    fake = installFakeFinesse();
    const { dialogId } = fake.startCall({ ani: '5551234567', dialedNumber: '8000' });
    const host = lazyFinesseHost();
    host.start();
    const seen = await firstValueFrom(host.call$.pipe(filter((c) => c !== null)));
    expect(seen!.dialogId).to.equal(dialogId);
    expect(host.agentId).to.equal('agent1');
    host.dispose();
  });
});
