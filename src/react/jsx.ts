// JSX types for the two tags in React 19, which sets a custom element's known properties as
// properties and turns `on<event-name>` props into event listeners (`onag-relocated` listens for
// `ag-relocated`). Type-only: `import type {} from 'agent-gadgets/react/jsx'` (or import the
// wrappers from `agent-gadgets/react`, which re-exports these types) and the tags type-check.
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { LitElement } from 'lit';
import type { AgChatPanel } from '../chat/chat-panel.js';
import type { AgSurveyTransfer } from '../survey/survey-transfer.js';
import type {
  AgConnectionChangeEvent,
  AgErrorEvent,
  AgMessageEvent,
  AgRelocatedEvent,
  AgSessionClosedEvent,
  AgSurveyRequestedEvent,
  AgSurveyStatusEvent,
  AgSurveyTransferredEvent,
} from '../events.js';

type IfEquals<X, Y, A, B> =
  (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? A : B;
/** Getter-only members (`connectionState`, `endpoint`, ...): read from the element, never set. */
type ReadonlyKeys<T> = {
  [P in keyof T]-?: IfEquals<{ [Q in P]: T[P] }, { -readonly [Q in P]: T[P] }, never, P>;
}[keyof T];
/** Methods (`send`, `announce`, ...); function-valued properties such as `tokenProvider` stay. */
type MethodKeys<T> = {
  [P in keyof T]: T[P] extends (...args: never[]) => unknown ? P : never;
}[keyof T];

/**
 * The settable properties an element adds to LitElement, derived from the class so that the
 * JSX types follow the elements without a hand-kept list.
 */
export type ElementProperties<E extends LitElement> = Partial<
  Omit<E, keyof LitElement | ReadonlyKeys<E> | MethodKeys<E>>
>;

/** `on<event-name>` props, as React 19 wires them on custom elements. */
export type EventProps<M extends { [K in keyof M]: Event }> = {
  [K in keyof M as `on${K & string}`]?: (event: M[K]) => void;
};

export interface AgChatPanelEventMap {
  'ag-connection-change': AgConnectionChangeEvent;
  'ag-relocated': AgRelocatedEvent;
  'ag-error': AgErrorEvent;
  'ag-message': AgMessageEvent;
  'ag-session-closed': AgSessionClosedEvent;
}

export interface AgSurveyTransferEventMap {
  'ag-connection-change': AgConnectionChangeEvent;
  'ag-relocated': AgRelocatedEvent;
  'ag-error': AgErrorEvent;
  'ag-survey-requested': AgSurveyRequestedEvent;
  'ag-survey-transferred': AgSurveyTransferredEvent;
  'ag-survey-status': AgSurveyStatusEvent;
}

type Base<E extends HTMLElement> = Omit<DetailedHTMLProps<HTMLAttributes<E>, E>, 'onError'>;

export type AgChatPanelJsxProps = Base<AgChatPanel> &
  ElementProperties<AgChatPanel> &
  EventProps<AgChatPanelEventMap>;

export type AgSurveyTransferJsxProps = Base<AgSurveyTransfer> &
  ElementProperties<AgSurveyTransfer> &
  EventProps<AgSurveyTransferEventMap> & {
    /** the `host` attribute (property `hostKind`): `finesse` | `standalone`; unset detects */
    host?: 'finesse' | 'standalone';
  };

declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'ag-chat-panel': AgChatPanelJsxProps;
      'ag-survey-transfer': AgSurveyTransferJsxProps;
    }
  }
}
