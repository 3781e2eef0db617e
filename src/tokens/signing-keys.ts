import { In, Not } from 'typeorm';
import type { Clock } from '../clock';
import type { SecretBox } from '../crypto/secret-box';
import { Database, isUniqueViolation } from '../db/database';
import { SigningKeyEntity } from '../db/entities';
import { newId } from '../db/ids';
import { CryptoKey, importSigningJwk, JWK, newSigningKeyPair, SIGNING_ALGORITHM } from './jwt';
import { isRotationDue, KEY_CACHE_MS, nextKeyTimes, publishedKeysAt, RETIRED_KEY_GRACE_MS, retiredAt, signingKeyAt, TimedKey } from './key-timeline';

/** A signing key as a process uses it: its times, its published JWK, and its private half opened on first use. */
export interface SigningKey extends TimedKey {
  kid: string;
  /** The public JWK with `kid`, `alg` and `use`, as the JWKS lists it. */
  publicJwk: JWK;
  verifyKey: CryptoKey;
  signKey(): Promise<CryptoKey>;
}

/** What a rotation did, for the operator. */
export interface RotationReport {
  /** False when a newer key was already waiting to sign (a rotation under way): nothing was added. */
  added: boolean;
  next: { kid: string; publishedAt: Date; signsFrom: Date };
  /** The key signing until then; it leaves the JWKS once its last token has expired. */
  current: { kid: string; signsUntil: Date; leavesJwksAt: Date } | null;
}

/** The private half is bound to its row: a ciphertext copied onto another key's row does not open. */
const sealContext = (kid: string) => `signing-key:${kid}`;

/**
 * The signing keys, shared by every process through the `signing_keys` table (src/tokens/key-timeline.ts says
 * which one signs and which are published). Each process reads the table at most every KEY_CACHE_MS, and on
 * that read creates the first key or rotates an old one; racing processes insert the same `generation`, which
 * is unique, so one insert wins and the others use its key.
 */
export class SigningKeyStore {
  private cached: { keys: SigningKey[]; readAtMs: number } | null = null;
  private reading: Promise<SigningKey[]> | null = null;
  private readonly opened = new Map<string, SigningKey>();

  constructor(
    private readonly db: Database,
    private readonly secretBox: SecretBox,
    private readonly clock: Clock,
    private readonly maxAgeMs: number,
  ) {}

  /** The key that signs now. */
  async signingKey(): Promise<SigningKey> {
    const now = this.clock.now();
    const key = signingKeyAt(await this.keys(now), now);
    // Cannot happen: the first key signs from its creation, and a key stops signing only when a later one starts.
    if (!key) throw new Error('no signing key is active');
    return key;
  }

  /** The keys /.well-known/jwks.json lists now. */
  async publishedKeys(): Promise<SigningKey[]> {
    const now = this.clock.now();
    return publishedKeysAt(await this.keys(now), now);
  }

  /** Every key in the table (read again when the cache is older than KEY_CACHE_MS), the first made if none is. */
  async keys(now = this.clock.now()): Promise<SigningKey[]> {
    const age = this.cached ? now.getTime() - this.cached.readAtMs : Infinity;
    if (this.cached && age >= 0 && age < KEY_CACHE_MS) return this.cached.keys;
    return (this.reading ??= this.read(now).finally(() => (this.reading = null)));
  }

  /**
   * `npm run rotate-signing-key`: adds the next key, published now and signing after the publication delay,
   * unless a newer key is already waiting to sign.
   */
  async rotate(): Promise<RotationReport> {
    const now = this.clock.now();
    const before = await this.rows();
    const isUnderWay = before.some((row) => row.activatesAt > now);
    if (!isUnderWay) await this.add(before, now);
    const rows = await this.rows();
    this.cached = null;
    const next = rows[rows.length - 1];
    const current = signingKeyAt(rows, now);
    const signsUntil = current && current !== next ? retiredAt(rows, current) : null;
    return {
      added: !isUnderWay,
      next: { kid: next.id, publishedAt: next.createdAt, signsFrom: next.activatesAt },
      current: current && signsUntil ? { kid: current.id, signsUntil, leavesJwksAt: new Date(signsUntil.getTime() + RETIRED_KEY_GRACE_MS) } : null,
    };
  }

  private async read(now: Date): Promise<SigningKey[]> {
    let rows = await this.rows();
    if (isRotationDue(rows, now, this.maxAgeMs)) {
      await this.add(rows, now);
      rows = await this.rows();
    }
    const keys = await Promise.all(rows.map((row) => this.open(row)));
    for (const kid of this.opened.keys()) if (!rows.some((row) => row.id === kid)) this.opened.delete(kid);
    this.cached = { keys, readAtMs: now.getTime() };
    return keys;
  }

  private rows(): Promise<SigningKeyEntity[]> {
    return this.db.manager.find(SigningKeyEntity, { order: { generation: 'ASC' } });
  }

  /**
   * Inserts the next generation. A unique violation means another process (or node) inserted it first: its key
   * is the next one, and this one is dropped. Keys retired longer ago than their last token lives verify nothing
   * any more: their rows go in the same transaction, private halves included.
   */
  private async add(rows: SigningKeyEntity[], now: Date): Promise<void> {
    const times = nextKeyTimes(rows, now);
    const kid = newId();
    const { publicJwk, privateJwk } = await newSigningKeyPair();
    const sealed = this.secretBox.seal(JSON.stringify(privateJwk), sealContext(kid));
    const stillPublished = new Set(publishedKeysAt([...rows, times], now));
    const done = rows.filter((row) => !stillPublished.has(row));
    try {
      await this.db.transaction(async (tx) => {
        await tx.insert(SigningKeyEntity, {
          id: kid,
          ...times,
          algorithm: SIGNING_ALGORITHM,
          publicJwk: JSON.stringify({ ...publicJwk, kid, alg: SIGNING_ALGORITHM, use: 'sig' }),
          privateKeyCiphertext: sealed.envelope,
          keyId: sealed.keyId,
        });
        if (done.length) await tx.delete(SigningKeyEntity, { id: In(done.map((row) => row.id)) });
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }

  private async open(row: SigningKeyEntity): Promise<SigningKey> {
    const known = this.opened.get(row.id);
    if (known) return known;
    const publicJwk = JSON.parse(row.publicJwk) as JWK;
    let signKey: Promise<CryptoKey> | undefined;
    const key: SigningKey = {
      kid: row.id,
      generation: row.generation,
      createdAt: row.createdAt,
      activatesAt: row.activatesAt,
      publicJwk,
      verifyKey: await importSigningJwk(publicJwk),
      signKey: () => (signKey ??= importSigningJwk(JSON.parse(this.secretBox.open(row.privateKeyCiphertext, sealContext(row.id))) as JWK)),
    };
    this.opened.set(row.id, key);
    return key;
  }
}

/**
 * `rotate-keys`: re-seals every signing key's private half with the current encryption key. Each row is
 * rewritten only if its ciphertext is still the one read, so the run is safe to interrupt and to repeat.
 */
export async function resealSigningKeys(db: Database, secretBox: SecretBox): Promise<number> {
  let resealed = 0;
  for (const row of await db.manager.find(SigningKeyEntity, { where: { keyId: Not(secretBox.currentKeyId) } })) {
    const context = sealContext(row.id);
    const sealed = secretBox.seal(secretBox.open(row.privateKeyCiphertext, context), context);
    const result = await db.transaction((tx) =>
      tx.update(SigningKeyEntity, { id: row.id, privateKeyCiphertext: row.privateKeyCiphertext }, { privateKeyCiphertext: sealed.envelope, keyId: sealed.keyId }),
    );
    resealed += result.affected ?? 0;
  }
  return resealed;
}
