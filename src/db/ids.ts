import { v7 } from 'uuid';

/** UUIDv7: random enough to be unguessable across tenants, and time-ordered so ids double as keyset cursors. */
export function newId(): string {
  return v7();
}

/** An id as newId (or any UUID generator) writes it: 8-4-4-4-12 hex digits, lower case, nothing around them. */
const CANONICAL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isCanonicalId(value: string): boolean {
  return CANONICAL_ID.test(value);
}
