// `agent-gadgets/react`: React components for both elements, made with @lit/react (the Lit
// team's wrapper factory), so React 18 and 19 alike set properties (tokenProvider, hostAdapter)
// rather than attributes and get camel-cased, typed event props (onAgRelocated, ...).
// Importing this module registers both tags (through the define modules).
import * as React from 'react';
import { createComponent, type EventName } from '@lit/react';
import { AgChatPanel as AgChatPanelElement } from '../define/chat-panel.js';
import { AgSurveyTransfer as AgSurveyTransferElement } from '../define/survey-transfer.js';
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

export type {
  AgChatPanelEventMap,
  AgChatPanelJsxProps,
  AgSurveyTransferEventMap,
  AgSurveyTransferJsxProps,
  ElementProperties,
  EventProps,
} from './jsx.js';

const shared = {
  onAgConnectionChange: 'ag-connection-change' as EventName<AgConnectionChangeEvent>,
  onAgRelocated: 'ag-relocated' as EventName<AgRelocatedEvent>,
  onAgError: 'ag-error' as EventName<AgErrorEvent>,
};

/** `<AgChatPanel interactionId=… onAgMessage={(e) => e.detail.message} />` */
export const AgChatPanel = createComponent({
  react: React,
  tagName: 'ag-chat-panel',
  elementClass: AgChatPanelElement,
  displayName: 'AgChatPanel',
  events: {
    ...shared,
    onAgMessage: 'ag-message' as EventName<AgMessageEvent>,
    onAgSessionClosed: 'ag-session-closed' as EventName<AgSessionClosedEvent>,
  },
});

/** `<AgSurveyTransfer pcsNodes=… onAgSurveyStatus={(e) => e.detail.status} />` */
export const AgSurveyTransfer = createComponent({
  react: React,
  tagName: 'ag-survey-transfer',
  elementClass: AgSurveyTransferElement,
  displayName: 'AgSurveyTransfer',
  events: {
    ...shared,
    onAgSurveyRequested: 'ag-survey-requested' as EventName<AgSurveyRequestedEvent>,
    onAgSurveyTransferred: 'ag-survey-transferred' as EventName<AgSurveyTransferredEvent>,
    onAgSurveyStatus: 'ag-survey-status' as EventName<AgSurveyStatusEvent>,
  },
});
