import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/crypto/secret-box';

const OLD = { id: 'k1', key: randomBytes(32) };
const NEW = { id: 'k2', key: randomBytes(32) };
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const CONTEXT = 'totp:tenant-a:agent-1';

describe('the secret box', () => {
  it('opens what it sealed, in the same context', () => {
    const box = new SecretBox([OLD]);
    const sealed = box.seal(SECRET, CONTEXT);
    expect(sealed.keyId).toBe('k1');
    expect(sealed.envelope).toMatch(/^v1\.k1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed.envelope).not.toContain(SECRET);
    expect(box.open(sealed.envelope, CONTEXT)).toBe(SECRET);
  });

  it('uses a fresh nonce for every seal', () => {
    const box = new SecretBox([OLD]);
    expect(box.seal(SECRET, CONTEXT).envelope).not.toBe(box.seal(SECRET, CONTEXT).envelope);
  });

  // Threat: a ciphertext copied onto another agent's or tenant's row to borrow that authenticator.
  it('refuses to open in another context', () => {
    const box = new SecretBox([OLD]);
    const { envelope } = box.seal(SECRET, CONTEXT);
    expect(() => box.open(envelope, 'totp:tenant-b:agent-1')).toThrow();
    expect(() => box.open(envelope, 'totp:tenant-a:agent-2')).toThrow();
  });

  // Threat: a database writer flips ciphertext bits to steer the decrypted secret.
  it('refuses a tampered envelope', () => {
    const box = new SecretBox([OLD]);
    const [version, keyId, nonce, ciphertext, tag] = box.seal(SECRET, CONTEXT).envelope.split('.');
    const flipped = Buffer.from(ciphertext, 'base64url');
    flipped[0] ^= 1;
    expect(() => box.open([version, keyId, nonce, flipped.toString('base64url'), tag].join('.'), CONTEXT)).toThrow();
    expect(() => box.open([version, keyId, nonce, ciphertext, Buffer.alloc(16).toString('base64url')].join('.'), CONTEXT)).toThrow();
    expect(() => box.open(['v0', keyId, nonce, ciphertext, tag].join('.'), CONTEXT)).toThrow();
  });

  it('refuses an envelope sealed under a key it does not hold', () => {
    const { envelope } = new SecretBox([OLD]).seal(SECRET, CONTEXT);
    expect(() => new SecretBox([NEW]).open(envelope, CONTEXT)).toThrow(/k1/);
  });

  it('refuses an envelope naming a known key id but sealed under other key material', () => {
    const { envelope } = new SecretBox([OLD]).seal(SECRET, CONTEXT);
    expect(() => new SecretBox([{ id: 'k1', key: randomBytes(32) }]).open(envelope, CONTEXT)).toThrow();
  });

  it('rotates: a new current key seals, and the old key still opens what it sealed', () => {
    const before = new SecretBox([OLD]).seal(SECRET, CONTEXT);
    const rotated = new SecretBox([NEW, OLD]);
    expect(rotated.currentKeyId).toBe('k2');
    expect(rotated.open(before.envelope, CONTEXT)).toBe(SECRET);
    const after = rotated.seal(SECRET, CONTEXT);
    expect(after.keyId).toBe('k2');
    expect(new SecretBox([NEW]).open(after.envelope, CONTEXT)).toBe(SECRET);
    expect(() => new SecretBox([OLD]).open(after.envelope, CONTEXT)).toThrow();
  });

  it('derives a distinct purpose-bound key from each configured key, current first', () => {
    const derived = new SecretBox([NEW, OLD]).derivedKeys('recovery-code-hash');
    expect(derived.map((d) => d.keyId)).toEqual(['k2', 'k1']);
    expect(derived[0].key).toHaveLength(32);
    expect(derived[0].key.equals(NEW.key)).toBe(false);
    expect(derived[0].key.equals(new SecretBox([NEW]).derivedKeys('other purpose')[0].key)).toBe(false);
    expect(derived[1].key.equals(new SecretBox([OLD]).derivedKeys('recovery-code-hash')[0].key)).toBe(true);
  });

  it('needs at least one key', () => {
    expect(() => new SecretBox([])).toThrow();
  });
});
