import { v7 } from 'uuid';

/** UUIDv7: random enough to be unguessable across tenants, and time-ordered so ids double as keyset cursors. */
export function newId(): string {
  return v7();
}
