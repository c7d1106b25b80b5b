/**
 * A {@link Host} whose implementation is loaded on first use, by a dynamic `import()`: the
 * Finesse glue (finesse-host, finesse-page, finesse-normalise) is then a chunk that only a
 * gadget running in Finesse fetches, and the survey bundle outside Finesse does not carry it.
 *
 * It keeps the loaded host's contract: `start()` may come before the code has arrived (the host
 * starts once it has), the streams begin when it has loaded (they replay, so nothing is missed),
 * actions wait for it, and `dispose()` at any point leaves nothing behind. A chunk that cannot
 * be loaded (a partial upload, the network) is reported on `errors$` and rejects actions, with
 * `bad-config`.
 */
import { EMPTY, catchError, from, of, switchMap, type Observable } from 'rxjs';
import type { AgErrorInfo } from '../protocol/errors.js';
import { finesseGlobal } from './finesse-types.js';
import { HostActionError, type CallInfo, type Host, type TransferOptions } from './host.js';

export class LazyHost implements Host {
  readonly call$: Observable<CallInfo | null>;
  readonly connection$: Observable<boolean>;
  readonly errors$: Observable<AgErrorInfo>;

  #loaded?: Host;
  readonly #ready: Promise<Host>;
  #started = false;
  #disposed = false;
  #heightWanted = false;

  constructor(
    readonly kind: Host['kind'],
    load: () => Promise<Host>,
  ) {
    this.#ready = load().then(
      (host) => {
        if (this.#disposed) {
          host.dispose();
          throw new HostActionError('host-disconnected', 'the host was disposed');
        }
        this.#loaded = host;
        if (this.#started) host.start();
        if (this.#heightWanted) host.adjustHeight();
        return host;
      },
      (e: unknown) => {
        throw e instanceof HostActionError
          ? e
          : new HostActionError(
              'bad-config',
              `could not load the ${kind} host code: ${e instanceof Error ? e.message : String(e)}`,
            );
      },
    );
    // the rejection is observed by errors$ and the actions; this only keeps it from being
    // reported as unhandled when nobody asked yet
    this.#ready.catch(() => undefined);
    const ready$ = from(this.#ready);
    this.call$ = ready$.pipe(
      switchMap((h) => h.call$),
      catchError(() => EMPTY),
    );
    this.connection$ = ready$.pipe(
      switchMap((h) => h.connection$),
      catchError(() => EMPTY),
    );
    this.errors$ = ready$.pipe(
      switchMap((h) => h.errors$ ?? EMPTY),
      catchError((e: HostActionError) =>
        this.#disposed ? EMPTY : of({ code: e.code, message: e.message }),
      ),
    );
  }

  get agentId(): string | undefined {
    return this.#loaded?.agentId;
  }

  /** the loaded host's locale, where it has one (FinesseHost: the agent's) */
  get locale(): string | undefined {
    return (this.#loaded as { locale?: string } | undefined)?.locale;
  }

  start(): void {
    if (this.#started || this.#disposed) return;
    this.#started = true;
    this.#loaded?.start();
  }

  async transfer(dialogId: string, dn: string, options?: TransferOptions): Promise<void> {
    return (await this.#ready).transfer(dialogId, dn, options);
  }

  async updateCallVariables(
    dialogId: string,
    vars: Readonly<Record<string, string>>,
  ): Promise<void> {
    return (await this.#ready).updateCallVariables(dialogId, vars);
  }

  adjustHeight(): void {
    if (this.#disposed) return;
    if (this.#loaded) this.#loaded.adjustHeight();
    else this.#heightWanted = true;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#loaded?.dispose();
  }
}

/**
 * The Finesse host, loaded on first use. Whether finesse.js is on the page is checked here,
 * at once, as `new FinesseHost()` does, so a gadget outside Finesse is refused synchronously.
 */
export function lazyFinesseHost(): Host {
  if (!finesseGlobal()) throw new HostActionError('bad-config', 'finesse.js is not loaded');
  return new LazyHost('finesse', () =>
    import('./finesse-host.js').then(({ FinesseHost }) => new FinesseHost()),
  );
}
