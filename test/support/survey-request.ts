/** A valid POST /survey-requests body for the seeded survey (DN 8000), for back-end tests. */
import type { SurveyRequestBody } from '../../src/protocol/wire.js';

let keys = 0;

/** A fresh idempotency key and dialog id unless given; any field can be overridden. */
export function surveyRequestBody(overrides: Record<string, unknown> = {}): SurveyRequestBody {
  const n = ++keys;
  return {
    idempotencyKey: `k-${Date.now()}-${n}`,
    dialogId: `d-${n}`,
    ani: '5551234567',
    dialedNumber: '8000',
    agentId: 'agent1',
    surveyId: 'srv-8000',
    channel: 'ivr',
    language: 'en',
    mode: 'transfer',
    ...overrides,
  } as SurveyRequestBody;
}
