import { expect } from '@open-wc/testing';
import { TestScheduler } from 'rxjs/testing';

/** Errors compare by reference in chai's deep equality; compare them by name, message and code. */
function normalize(value: unknown): unknown {
  if (value instanceof Error) {
    return { error: value.name, message: value.message, code: (value as { code?: unknown }).code };
  }
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}

export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(normalize(actual)).to.deep.equal(normalize(expected));
  });
}
