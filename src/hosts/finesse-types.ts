/**
 * The slice of finesse.js and the OpenSocial `gadgets.*` API that FinesseHost uses, typed
 * loosely on purpose: Finesse versions differ, and everything read from them is normalised.
 */

export interface FinesseHandlers {
  success?: (rsp: unknown) => void;
  error?: (rsp: unknown) => void;
}

export interface FinesseParticipant {
  mediaAddress?: string;
  state?: string;
  actions?: { action?: string | string[] } | null;
}

export interface FinesseDialog {
  getId(): string;
  getState?(): string;
  getFromAddress?(): string;
  getToAddress?(): string;
  getParticipants?(): FinesseParticipant[] | FinesseParticipant | null | undefined;
  getMediaProperties?(): Record<string, unknown> | null | undefined;
  getRestUrl?(): string;
  addHandler?(event: 'change', fn: (d: FinesseDialog) => void): void;
  removeHandler?(event: 'change', fn: (d: FinesseDialog) => void): void;
  initiateDirectTransfer?(mediaAddress: string, toAddress: string, handlers: FinesseHandlers): void;
  makeConsultCall?(mediaAddress: string, toAddress: string, handlers: FinesseHandlers): void;
  requestAction?(mediaAddress: string, action: string, handlers: FinesseHandlers): void;
  /** Finesse 12.5(1)+ */
  updateCallVariables?(vars: Record<string, string>, handlers: FinesseHandlers): void;
}

export interface FinesseDialogs {
  getCollection?(): Record<string, FinesseDialog> | null | undefined;
}

export interface FinesseUser {
  getExtension(): string;
  getId?(): string;
  getDialogs(o: {
    onCollectionAdd?: (d: FinesseDialog) => void;
    onCollectionDelete?: (d: FinesseDialog) => void;
    onLoad?: (dialogs: FinesseDialogs) => void;
    onError?: (rsp: unknown) => void;
  }): FinesseDialogs;
}

export interface FinesseGlobal {
  gadget?: { Config?: Record<string, unknown> };
  clientservices?: {
    ClientServices?: {
      init(config: unknown, ...rest: unknown[]): unknown;
      registerOnConnectHandler?(fn: () => void): void;
      registerOnDisconnectHandler?(fn: () => void): void;
      getNotificationConnectionState?(): string;
    };
  };
  restservices?: {
    User?: new (o: {
      id: string;
      onLoad?: (u: FinesseUser) => void;
      onChange?: (u: FinesseUser) => void;
      onError?: (rsp: unknown) => void;
    }) => FinesseUser;
    Dialog?: { Actions?: Record<string, string> };
  };
  containerservices?: {
    ContainerServices?: {
      init?(): ContainerServicesInstance | undefined;
      Topics?: Record<string, string>;
    } & Partial<ContainerServicesInstance>;
  };
  utilities?: { Utilities?: { getAuthHeaderString?(config: unknown): string } };
}

export interface ContainerServicesInstance {
  addHandler(topic: string, fn: (data: unknown) => void): void;
  removeHandler?(topic: string, fn: (data: unknown) => void): void;
  makeActiveTabReq?(): void;
}

export interface GadgetsGlobal {
  window?: { adjustHeight?(height?: number): void };
  io?: {
    makeRequest?(
      url: string,
      callback: (rsp: { rc?: number; text?: string; errors?: string[] }) => void,
      params: Record<string, unknown>,
    ): void;
    RequestParameters?: Record<string, string>;
    MethodType?: Record<string, string>;
    ContentType?: Record<string, string>;
  };
}

/** Reads the finesse.js global (undefined outside Finesse). */
export function finesseGlobal(): FinesseGlobal | undefined {
  const f = (globalThis as { finesse?: unknown }).finesse;
  return typeof f === 'object' && f !== null ? (f as FinesseGlobal) : undefined;
}

/** Reads the OpenSocial `gadgets` global (undefined outside a gadget container). */
export function gadgetsGlobal(): GadgetsGlobal | undefined {
  const g = (globalThis as { gadgets?: unknown }).gadgets;
  return typeof g === 'object' && g !== null ? (g as GadgetsGlobal) : undefined;
}

/**
 * True when finesse.js is loaded well enough to run a FinesseHost. `finesse.gadget.Config` is
 * not required: finesse.js 10.5 has none (FinesseHost builds it from the container's prefs).
 */
export function isFinessePresent(): boolean {
  const f = finesseGlobal();
  return !!(f?.clientservices?.ClientServices && f.restservices?.User);
}

/**
 * The logged-in agent's locale inside Finesse (`de_DE`), undefined elsewhere: Finesse's
 * `Config.locale`, else (10.5, before a Config was built) the container's `locale` pref.
 * Only reads; the elements take it as their language when no `lang` is set around them.
 */
export function finesseAgentLocale(
  finesse: FinesseGlobal | undefined = finesseGlobal(),
): string | undefined {
  const fin = finesse as
    (FinesseGlobal & { container?: { Config?: Record<string, unknown> } }) | undefined;
  if (!fin) return undefined;
  const fromConfig = (fin.gadget?.Config ?? fin.container?.Config)?.locale;
  if (typeof fromConfig === 'string' && fromConfig) return fromConfig;
  const Prefs = (gadgetsGlobal() as { Prefs?: new () => { getString(n: string): string } })?.Prefs;
  try {
    return (Prefs && new Prefs().getString('locale')) || undefined;
  } catch {
    return undefined;
  }
}
