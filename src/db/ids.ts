import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

/**
 * Random bytes for ids, drawn from a pool refilled 4 KiB at a time. uuid's own v7 asks the operating system for
 * 16 bytes per id, and that call (about 2 µs here) was 3 % of a TOTP answer's CPU, which writes four or five ids.
 */
const pool = Buffer.alloc(4096);
let taken = pool.length;

function randomBytes16(): Buffer {
  if (taken === pool.length) {
    randomFillSync(pool);
    taken = 0;
  }
  taken += 16;
  return pool.subarray(taken - 16, taken);
}

/**
 * The last id's millisecond and counter. uuid keeps the same state only when it draws its own bytes: ids made
 * in one millisecond count up from a random start, so they sort in the order they were made (the audit log and
 * "the latest standing" read them so).
 */
const last = { msecs: -Infinity, seq: 0 };

/** UUIDv7: random enough to be unguessable across tenants, and time-ordered so ids double as keyset cursors. */
export function newId(): string {
  const random = randomBytes16();
  const now = Date.now();
  if (now > last.msecs) {
    last.msecs = now;
    last.seq = ((random[6] & 0x7f) << 24) | (random[7] << 16) | (random[8] << 8) | random[9];
  } else {
    last.seq = (last.seq + 1) | 0;
    if (last.seq === 0) last.msecs++;
  }
  return v7({ random, msecs: last.msecs, seq: last.seq });
}

/** An id as newId (or any UUID generator) writes it: 8-4-4-4-12 hex digits, lower case, nothing around them. */
const CANONICAL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isCanonicalId(value: string): boolean {
  return CANONICAL_ID.test(value);
}
