import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { EncryptionKey } from '../config';

/** AES-256-GCM with a 96-bit random nonce (NIST SP 800-38D §8.2.2). */
const ALGORITHM = 'aes-256-gcm';
const NONCE_BYTES = 12;
const ENVELOPE_VERSION = 'v1';

export interface Sealed {
  keyId: string;
  /** `v1.<keyId>.<nonce>.<ciphertext>.<tag>`, base64url parts: self-describing so keys can rotate. */
  envelope: string;
}

/**
 * Seals small secrets (TOTP keys) under the current key. `context` is bound as associated data, so a ciphertext
 * copied onto another row (another agent or tenant) fails to open.
 */
export class SecretBox {
  private readonly byId: Map<string, Buffer>;

  constructor(private readonly keys: EncryptionKey[]) {
    if (!keys.length) throw new Error('SecretBox needs at least one key');
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  get currentKeyId(): string {
    return this.keys[0].id;
  }

  seal(plaintext: string, context: string): Sealed {
    const { id, key } = this.keys[0];
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, nonce).setAAD(Buffer.from(context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [nonce, ciphertext, cipher.getAuthTag()].map((b) => b.toString('base64url'));
    return { keyId: id, envelope: [ENVELOPE_VERSION, id, ...parts].join('.') };
  }

  open(envelope: string, context: string): string {
    const [version, keyId, nonce, ciphertext, tag] = envelope.split('.');
    const key = this.byId.get(keyId);
    if (version !== ENVELOPE_VERSION || !key) throw new Error(`cannot open secret sealed with key "${keyId}"`);
    const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(nonce, 'base64url'))
      .setAAD(Buffer.from(context))
      .setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** Derives a purpose-bound HMAC key from each configured key (HKDF, RFC 5869), current first. */
  derivedKeys(purpose: string): Array<{ keyId: string; key: Buffer }> {
    return this.keys.map(({ id, key }) => ({
      keyId: id,
      key: Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), purpose, 32)),
    }));
  }
}
