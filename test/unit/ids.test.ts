import { afterEach, describe, expect, it, vi } from 'vitest';
import { isCanonicalId, newId } from '../../src/db/ids';

/** The 48-bit Unix milliseconds at the front of a UUIDv7. */
const msecsOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('newId', () => {
  afterEach(() => vi.useRealTimers());

  it('writes canonical UUIDv7 (version 7, RFC 9562 variant) stamped with the current millisecond', () => {
    const before = Date.now();
    const ids = Array.from({ length: 1000 }, newId);
    const after = Date.now();
    for (const id of ids) {
      expect(isCanonicalId(id)).toBe(true);
      expect(id[14]).toBe('7');
      expect('89ab').toContain(id[19]);
      expect(msecsOf(id)).toBeGreaterThanOrEqual(before);
      expect(msecsOf(id)).toBeLessThanOrEqual(after + 1);
    }
  });

  it('sorts in the order the ids were made, within one millisecond too (across refills of the random pool)', () => {
    vi.useFakeTimers({ now: new Date('2026-12-06T12:00:00Z'), toFake: ['Date'] });
    const ids = Array.from({ length: 2000 }, newId);
    expect(new Set(ids.map(msecsOf)).size).toBeLessThanOrEqual(2);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('carries fresh randomness in every id, and starts each millisecond at an unguessable counter', () => {
    const ids = Array.from({ length: 5000 }, newId);
    // rand_b's last 48 bits are random bytes, never the counter.
    expect(new Set(ids.map((id) => id.slice(-12))).size).toBe(ids.length);
    const firstOfMillisecond = (ms: number) => {
      vi.useFakeTimers({ now: ms, toFake: ['Date'] });
      return newId().slice(15, 23);
    };
    const counters = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((n) => firstOfMillisecond(Date.UTC(2027, 0, 1) + n)));
    expect(counters.size).toBe(8);
  });
});
