import { errorMessageOf, truncateErrorMessage, validToken } from '../backend/rules.js';
import type { ServerErrorCode } from '../protocol/errors.js';
import type { ErrorAnswer } from '../protocol/wire.js';
import type { Result } from '../protocol/validate.js';

/** A coded failure inside a handler; turned into `{ ok: false, error }` at the edge. */
export class MockFault extends Error {
  constructor(
    readonly code: ServerErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MockFault';
  }
}

export const errorAnswer = (code: string, message: string): ErrorAnswer => ({
  ok: false,
  error: { code, message: truncateErrorMessage(message) },
});

/** Validates with a protocol validator; a failure is a `bad-request` fault. */
export function parse<T>(result: Result<T>): T {
  if (!result.ok) throw new MockFault('bad-request', result.error);
  return result.value;
}

/** Runs a handler and answers its result, or its fault as an error answer. Never throws. */
export function answer(ack: ((a: unknown) => void) | undefined, run: () => unknown): void {
  let result: unknown;
  try {
    result = run();
  } catch (e) {
    result =
      e instanceof MockFault
        ? errorAnswer(e.code, e.message)
        : errorAnswer('internal', errorMessageOf(e));
  }
  ack?.(result);
}

let counter = 0;
/** Short unique ids with a readable prefix (`m-…`, `cs-…`). */
export const newId = (prefix: string): string =>
  `${prefix}-${(++counter).toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/** The token rule both back ends share (src/backend/rules.ts). */
export const defaultValidToken: (token: string | undefined) => boolean = validToken;
