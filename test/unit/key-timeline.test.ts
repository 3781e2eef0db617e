import { describe, expect, it } from 'vitest';
import {
  CLOCK_SKEW_MS,
  isRotationDue,
  JWKS_MAX_AGE_SECONDS,
  KEY_CACHE_MS,
  MAX_ACCESS_TOKEN_TTL_SECONDS,
  nextKeyTimes,
  PUBLICATION_DELAY_MS,
  publishedKeysAt,
  RETIRED_KEY_GRACE_MS,
  signingKeyAt,
  TimedKey,
} from '../../src/tokens/key-timeline';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(T0 + ms);
const MIN = 60_000;

/** The first key at T0, a second created at 10 min (signing from 20 min), a third created at 30 min. */
const first: TimedKey = { generation: 1, createdAt: at(0), activatesAt: at(0) };
const second: TimedKey = { generation: 2, createdAt: at(10 * MIN), activatesAt: at(10 * MIN + PUBLICATION_DELAY_MS) };
const third: TimedKey = { generation: 3, createdAt: at(30 * MIN), activatesAt: at(30 * MIN + PUBLICATION_DELAY_MS) };
const keys = [first, second, third];

describe('the signing keys timeline', () => {
  it('waits longer before a new key signs than any verifier that honours Cache-Control can lag', () => {
    expect(PUBLICATION_DELAY_MS).toBeGreaterThan(KEY_CACHE_MS + JWKS_MAX_AGE_SECONDS * 1000 + CLOCK_SKEW_MS);
    expect(RETIRED_KEY_GRACE_MS).toBe(MAX_ACCESS_TOKEN_TTL_SECONDS * 1000 + CLOCK_SKEW_MS);
  });

  it('signs with the newest key already active', () => {
    expect(signingKeyAt([], at(0))).toBeNull();
    expect(signingKeyAt(keys, at(0))).toBe(first);
    expect(signingKeyAt(keys, at(20 * MIN - 1))).toBe(first);
    expect(signingKeyAt(keys, at(20 * MIN))).toBe(second);
    expect(signingKeyAt(keys, at(40 * MIN))).toBe(third);
  });

  it('publishes a key from its creation until its last token has expired, a key that never signed included', () => {
    expect(publishedKeysAt([first, second], at(10 * MIN))).toEqual([first, second]);
    const firstLeaves = 20 * MIN + RETIRED_KEY_GRACE_MS;
    expect(publishedKeysAt([first, second], at(firstLeaves - 1))).toEqual([first, second]);
    expect(publishedKeysAt([first, second], at(firstLeaves))).toEqual([second]);
    // A key superseded before it signed leaves like any other once its successor has signed long enough.
    const early: TimedKey = { generation: 4, createdAt: at(31 * MIN), activatesAt: at(35 * MIN) };
    expect(publishedKeysAt([third, early], at(35 * MIN + RETIRED_KEY_GRACE_MS))).toEqual([early]);
  });

  it('is due for a rotation without keys, or when the newest key, pending or not, reached the maximum age', () => {
    expect(isRotationDue([], at(0), MIN)).toBe(true);
    expect(isRotationDue([first], at(MIN - 1), MIN)).toBe(false);
    expect(isRotationDue([first], at(MIN), MIN)).toBe(true);
    expect(isRotationDue([first, second], at(10 * MIN + 1), MIN * 10)).toBe(false);
  });

  it('makes the first key sign at once and every later one after the publication delay', () => {
    expect(nextKeyTimes([], at(0))).toEqual({ generation: 1, createdAt: at(0), activatesAt: at(0) });
    expect(nextKeyTimes([first, second], at(MIN))).toEqual({ generation: 3, createdAt: at(MIN), activatesAt: at(MIN + PUBLICATION_DELAY_MS) });
  });
});
