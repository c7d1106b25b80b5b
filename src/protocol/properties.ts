/**
 * Interaction-server properties: their well-known names and the shape of their values, with the
 * id and version scalars the whole wire format shares. Part of the wire protocol (wire.ts
 * re-exports the public names); a module of its own so that the key-by-key readers
 * (read-properties.ts) need not pull the rest of wire.ts, nor wire.ts them.
 */
import { Limits } from './limits.js';
import { boolean, number, record, string, union, type Infer } from './validate.js';

export const id = string({ min: 1, max: Limits.maxIdLength });
/** Versions are safe integers: past 2^53 `v + 1 === v` and the ordering means nothing. */
export const version = number({ min: 0, max: Number.MAX_SAFE_INTEGER, integer: true });

/** Property values are flat scalars; `unset` removes keys. */
export const propertyValue = union(string({ max: Limits.maxPropertyLength }), number(), boolean());
export type PropertyValue = Infer<typeof propertyValue>;
export const properties = record(propertyValue, {
  max: Limits.maxPropertiesPerUpdate,
  key: string({ min: 1, max: 128 }),
});
export type Properties = Record<string, PropertyValue>;

/** Well-known property names. */
export const Props = {
  chatInstanceId: 'chat.instanceId',
  chatUrl: 'chat.url',
  chatSessionId: 'chat.sessionId',
  chatState: 'chat.state',
  chatEpoch: 'chat.epoch',
  voiceDialogId: 'voice.dialogId',
  voiceAni: 'voice.ani',
  voiceDialedNumber: 'voice.dialedNumber',
  voiceState: 'voice.state',
  surveyRequestId: 'survey.requestId',
  surveyStatus: 'survey.status',
} as const;
