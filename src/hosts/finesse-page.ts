/**
 * What finesse.js allows once per page, shared by every FinesseHost on it: ClientServices is
 * initialised once, after the gadget's hub connected; it keeps ONE connect and ONE disconnect
 * handler; and it subscribes each topic once, so a second `User` or dialog collection for the
 * same agent would load but never receive an event. The page owns those and fans them out.
 *
 * Before `gadgets.HubSettings.onConnect` the hub client refuses subscriptions, and finesse.js
 * marks itself initialised before it subscribes to its connection topic: an early init would
 * never hear of a connection again. So nothing here touches finesse.js before the hub is up.
 */
import {
  finesseGlobal,
  gadgetsGlobal,
  type FinesseDialog,
  type FinesseDialogs,
  type FinesseGlobal,
  type FinesseUser,
} from './finesse-types.js';

export interface PageListener {
  onConnected(connected: boolean): void;
  onUser(user: FinesseUser): void;
  onDialogsLoaded(dialogs: FinesseDialogs): void;
  onDialogAdded(d: FinesseDialog): void;
  onDialogDeleted(d: FinesseDialog): void;
  onLoadError(what: string, rsp: unknown): void;
  /** after a failover: the dialog ids Finesse has now (undefined when they could not be read) */
  onReread(ids: ReadonlySet<string> | undefined): void;
}

/** Finesse's own prefs, from which 10.5 gadgets build finesse.gadget.Config (11.0+ has one). */
const CONFIG_PREFS = [
  'authorization',
  'country',
  'language',
  'locale',
  'host',
  'hostPort',
  'extension',
  'mobileAgentMode',
  'mobileAgentDialNumber',
  'xmppDomain',
  'pubsubDomain',
  'restHost',
  'scheme',
  'localhostFQDN',
  'localhostPort',
  'id',
] as const;

/**
 * `finesse.gadget.Config` (and `finesse.container.Config`, which 10.5's REST objects read):
 * finesse.js's own where it has one, else built from the container's prefs as Cisco's 10.5
 * sample gadgets do. Returns the config, or undefined outside a container.
 */
export function ensureFinesseConfig(
  fin: FinesseGlobal = finesseGlobal() ?? {},
): Record<string, unknown> | undefined {
  const holder = fin as FinesseGlobal & { container?: { Config?: Record<string, unknown> } };
  holder.gadget ??= {};
  if (!holder.gadget.Config) {
    const Prefs = (
      gadgetsGlobal() as
        | { Prefs?: new () => { getString(n: string): string; getInt?(n: string): number } }
        | undefined
    )?.Prefs;
    if (!Prefs) return undefined;
    const prefs = new Prefs();
    const config: Record<string, unknown> = {};
    for (const name of CONFIG_PREFS) config[name] = prefs.getString(name);
    config.clientDriftInMillis = prefs.getInt?.('clientDriftInMillis') ?? 0;
    // Finesse 10.5 passes the agent id only inside `authorization` (base64 "id:password").
    if (!config.id && typeof config.authorization === 'string' && config.authorization) {
      try {
        config.id = atob(config.authorization).split(':')[0] ?? '';
      } catch {
        /* not base64: leave the id empty; User will report it */
      }
    }
    holder.gadget.Config = config;
  }
  holder.container ??= {};
  holder.container.Config ??= holder.gadget.Config;
  return holder.gadget.Config;
}

/** `scheme://restHost:port` + a finesse.js REST path, as finesse.js's own requests go out. */
export function absoluteFinesseUrl(restUrl: string, config: Record<string, unknown>): string {
  if (/^https?:\/\//i.test(restUrl)) return restUrl;
  const scheme = String(config.scheme || 'https');
  const host = String(config.restHost || config.host || '');
  const port = String(config.localhostPort || config.hostPort || '');
  return `${scheme}://${host}${port ? `:${port}` : ''}${restUrl.startsWith('/') ? '' : '/'}${restUrl}`;
}

/** `Basic <authorization>` of the logged-in agent. */
export function finesseAuthHeader(fin: FinesseGlobal, config: Record<string, unknown>): string {
  try {
    const h = fin.utilities?.Utilities?.getAuthHeaderString?.(config);
    if (h) return h;
  } catch {
    /* fall through */
  }
  return `Basic ${String(config.authorization ?? '')}`;
}

const pages = new WeakMap<object, FinessePage>();
const HUB_POLL_MS = 100;
const REREAD_TIMEOUT_MS = 10_000;

export class FinessePage {
  /** The page of this finesse.js instance (one per page, as finesse.js itself is). */
  static for(fin: FinesseGlobal): FinessePage {
    let page = pages.get(fin);
    if (!page) {
      page = new FinessePage(fin);
      pages.set(fin, page);
    }
    return page;
  }

  readonly #listeners = new Set<PageListener>();
  #started = false;
  #hubTimer?: ReturnType<typeof setInterval>;
  #connected = false;
  #everDisconnected = false;
  #user?: FinesseUser;
  #dialogs?: FinesseDialogs;
  #config: Record<string, unknown> = {};

  readonly #fin: FinesseGlobal;

  private constructor(fin: FinesseGlobal) {
    this.#fin = fin;
  }

  get agentConfig(): Record<string, unknown> {
    return this.#config;
  }

  /** Adds a listener (replaying what is known) and starts the page once the hub is up. */
  attach(l: PageListener): () => void {
    this.#listeners.add(l);
    if (this.#connected) l.onConnected(true);
    if (this.#user) l.onUser(this.#user);
    if (this.#dialogs) l.onDialogsLoaded(this.#dialogs);
    this.#startWhenHubConnected();
    return () => {
      this.#listeners.delete(l);
      if (this.#listeners.size === 0 && this.#hubTimer) {
        clearInterval(this.#hubTimer);
        this.#hubTimer = undefined;
      }
    };
  }

  #emit(fn: (l: PageListener) => void): void {
    for (const l of [...this.#listeners]) {
      try {
        fn(l);
      } catch (e) {
        console.error('[agent-gadgets] Finesse listener threw', e);
      }
    }
  }

  #hubConnected(): boolean {
    const hub = (gadgetsGlobal() as { Hub?: { isConnected?(): boolean } } | undefined)?.Hub;
    // Containers whose hub client has no isConnected() only start gadgets from onConnect.
    return !!hub && (typeof hub.isConnected !== 'function' || hub.isConnected());
  }

  #startWhenHubConnected(): void {
    if (this.#started || this.#hubTimer) return;
    if (this.#hubConnected()) return this.#start();
    // No event tells a library that the gadget's hub connected (onConnect belongs to the
    // gadget): look again until it did, for as long as someone listens.
    this.#hubTimer = setInterval(() => {
      if (!this.#hubConnected()) return;
      clearInterval(this.#hubTimer);
      this.#hubTimer = undefined;
      this.#start();
    }, HUB_POLL_MS);
  }

  #start(): void {
    if (this.#started) return;
    this.#started = true;
    const services = this.#fin.clientservices?.ClientServices;
    const User = this.#fin.restservices?.User;
    try {
      this.#config = ensureFinesseConfig(this.#fin) ?? {};
      if (!services || !User)
        throw new Error('finesse.js is incomplete (ClientServices or User missing)');
      services.init(this.#config);
      services.registerOnConnectHandler?.(() => this.#setConnected(true));
      services.registerOnDisconnectHandler?.(() => this.#setConnected(false));
      this.#user = undefined;
      new User({
        id: String(this.#config.id ?? ''),
        onLoad: (user) => this.#onUserLoad(user),
        onError: (rsp) => this.#emit((l) => l.onLoadError('the agent', rsp)),
      });
    } catch (e) {
      this.#emit((l) =>
        l.onLoadError('finesse.js', { errorMessage: e instanceof Error ? e.message : String(e) }),
      );
    }
  }

  #onUserLoad(user: FinesseUser): void {
    this.#user = user;
    this.#emit((l) => l.onUser(user));
    try {
      user.getDialogs({
        onCollectionAdd: (d) => this.#emit((l) => l.onDialogAdded(d)),
        onCollectionDelete: (d) => this.#emit((l) => l.onDialogDeleted(d)),
        onLoad: (dialogs) => {
          this.#dialogs = dialogs;
          this.#emit((l) => l.onDialogsLoaded(dialogs));
        },
        onError: (rsp) => this.#emit((l) => l.onLoadError("the agent's calls", rsp)),
      });
    } catch (e) {
      this.#emit((l) => l.onLoadError("the agent's calls", { errorMessage: String(e) }));
    }
  }

  #setConnected(connected: boolean): void {
    if (!connected) {
      this.#connected = false;
      this.#everDisconnected = true;
      this.#emit((l) => l.onConnected(false));
      return;
    }
    if (!this.#everDisconnected) {
      this.#connected = true;
      this.#emit((l) => l.onConnected(true));
      return;
    }
    // Recovered: calls that started or ended inside the failover produced no events. Read the
    // agent's dialogs again before saying "connected", so no gadget acts on a call that is gone.
    this.#reread((ids) => {
      this.#emit((l) => l.onReread(ids));
      this.#connected = true;
      this.#emit((l) => l.onConnected(true));
    });
  }

  #reread(answer: (ids: ReadonlySet<string> | undefined) => void): void {
    // a proxy that never calls back must not keep the gadgets "reconnecting" for good
    let answered = false;
    const timer = setTimeout(() => done(undefined), REREAD_TIMEOUT_MS);
    const done = (ids: ReadonlySet<string> | undefined) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      answer(ids);
    };
    const io = gadgetsGlobal()?.io;
    const id = String(this.#config.id ?? '');
    if (!io?.makeRequest || !id) return done(undefined);
    const P = io.RequestParameters ?? {};
    const url = absoluteFinesseUrl(
      `/finesse/api/User/${encodeURIComponent(id)}/Dialogs`,
      this.#config,
    );
    try {
      io.makeRequest(
        url,
        (rsp) => {
          if (typeof rsp?.rc !== 'number' || rsp.rc < 200 || rsp.rc >= 300) return done(undefined);
          const ids = new Set<string>();
          for (const m of String(rsp.text ?? '').matchAll(
            /<uri>\/finesse\/api\/Dialog\/([^<]+)<\/uri>/g,
          ))
            ids.add(m[1]!);
          done(ids);
        },
        {
          [P.METHOD ?? 'METHOD']: io.MethodType?.GET ?? 'GET',
          [P.CONTENT_TYPE ?? 'CONTENT_TYPE']: io.ContentType?.TEXT ?? 'TEXT',
          [P.HEADERS ?? 'HEADERS']: { Authorization: finesseAuthHeader(this.#fin, this.#config) },
        },
      );
    } catch {
      done(undefined);
    }
  }
}
