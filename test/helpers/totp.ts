import { createHmac } from 'node:crypto';

/**
 * An RFC 6238 TOTP written for the tests from the RFC alone (node:crypto HMAC, RFC 4648 base32), so the
 * gateway's own implementation (otplib) is checked against something it shares no code with.
 */
export function base32Decode(input: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const char of input.replace(/=+$/, '').toUpperCase()) {
    const index = alphabet.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

/** HOTP (RFC 4226 §5.3) of a raw key at a counter. */
export function hotp(key: Buffer, counter: number, digits = 6, algorithm = 'sha1'): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, key).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The 6-digit code of a base32 secret for the 30-second step containing `atMs`, shifted by `stepOffset` steps. */
export function totpCode(secret: string, atMs: number, stepOffset = 0): string {
  return hotp(base32Decode(secret), Math.floor(atMs / 30_000) + stepOffset);
}
