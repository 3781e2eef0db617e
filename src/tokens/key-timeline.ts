/**
 * When a signing key is published, signs, and leaves the JWKS: pure rules over the keys' times, the same in
 * every gateway process (each decides from the rows it read and its clock, never from what it did itself).
 *
 * ```
 *  key 1 ──created/published═══signs═══════════════════╗ retired: stops signing ──── leaves the JWKS ──▶
 *  key 2 ─────────────────────────── created/published ╫── signs (10 min after created) ════════════════▶
 *                                    │◀──── PUBLICATION_DELAY ────▶│◀─ MAX_TTL + CLOCK_SKEW (6 min) ─▶│
 * ```
 *
 * - The first key signs as soon as it exists: no token, and no cached JWKS, can predate it.
 * - A later key is published when created and signs only PUBLICATION_DELAY later, which exceeds a process's key
 *   cache plus the JWKS max-age plus clock skew: every process knows the key before it signs, and every verifier
 *   that honours Cache-Control has fetched it before the first token it signed exists.
 * - A key stops signing when a later generation activates, and stays published until the last token it signed
 *   has expired (the longest lifetime, plus skew); afterwards it verifies nothing and its row may go.
 */

/** Cache-Control max-age of /.well-known/jwks.json (RULES: at most 300 s). */
export const JWKS_MAX_AGE_SECONDS = 300;
/** How long a process uses the key set it read before reading the table again. */
export const KEY_CACHE_MS = 30_000;
/** The longest an access token lives (RULES: 5 minutes): ACCESS_TOKEN_TTL_SECONDS cannot exceed it. */
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 300;
/** How far the clocks of gateway processes and of the services verifying tokens may differ. */
export const CLOCK_SKEW_MS = 60_000;
/** Published this long before signing: > KEY_CACHE_MS + JWKS_MAX_AGE_SECONDS + CLOCK_SKEW_MS (390 s). */
export const PUBLICATION_DELAY_MS = 10 * 60_000;
/** A retired key stays published this long after it stopped signing. */
export const RETIRED_KEY_GRACE_MS = MAX_ACCESS_TOKEN_TTL_SECONDS * 1000 + CLOCK_SKEW_MS;

export interface TimedKey {
  generation: number;
  createdAt: Date;
  activatesAt: Date;
}

/** The key that signs at `now`: the newest generation already active; null before any is. */
export function signingKeyAt<K extends TimedKey>(keys: readonly K[], now: Date): K | null {
  let signer: K | null = null;
  for (const key of keys) if (key.activatesAt <= now && (!signer || key.generation > signer.generation)) signer = key;
  return signer;
}

/** When a later key takes over from this one (possibly in the future); null while none is due to. */
export function retiredAt(keys: readonly TimedKey[], key: TimedKey): Date | null {
  const successors = keys.filter((other) => other.generation > key.generation).map((other) => other.activatesAt.getTime());
  return successors.length ? new Date(Math.min(...successors)) : null;
}

/** The keys the JWKS lists at `now`: every key but those retired longer ago than the last token they signed lives. */
export function publishedKeysAt<K extends TimedKey>(keys: readonly K[], now: Date): K[] {
  return keys.filter((key) => {
    const retired = retiredAt(keys, key);
    return !retired || now.getTime() < retired.getTime() + RETIRED_KEY_GRACE_MS;
  });
}

/** No key yet, or the newest one (pending or signing) is older than the maximum age: time for the next. */
export function isRotationDue(keys: readonly TimedKey[], now: Date, maxAgeMs: number): boolean {
  const newest = keys.reduce<TimedKey | null>((a, b) => (!a || b.generation > a.generation ? b : a), null);
  return !newest || now.getTime() - newest.createdAt.getTime() >= maxAgeMs;
}

/** The generation and times of the key to add at `now`. */
export function nextKeyTimes(keys: readonly TimedKey[], now: Date): TimedKey {
  const generation = Math.max(0, ...keys.map((key) => key.generation)) + 1;
  return { generation, createdAt: now, activatesAt: generation === 1 ? now : new Date(now.getTime() + PUBLICATION_DELAY_MS) };
}
