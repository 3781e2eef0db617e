import { NodeCryptoPlugin } from '@otplib/plugin-crypto-node';
import { generateSecret, verifySync } from 'otplib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { matchTotp, newTotpSecret, timeStepAt, totpUri } from '../../src/crypto/totp';
import { base32Decode, hotp, totpCode } from '../helpers/totp';

/** RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890". */
const RFC_SECRET_ASCII = '12345678901234567890';
const RFC_SECRET_BASE32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

/** [Unix time in seconds, 8-digit TOTP] from RFC 6238 Appendix B, SHA-1 column. */
const RFC_6238_SHA1_VECTORS: Array<[number, string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

const STEP_MS = 30_000;
/** The middle of a time step, so moving whole steps never lands on a boundary. */
const midStep = (step: number) => step * STEP_MS + STEP_MS / 2;
/** The gateway's codes are 6 digits: HOTP truncation modulo 10^6, i.e. the last 6 digits of the 8-digit value. */
const sixDigits = (code: string) => code.slice(-6);

describe('the test helper TOTP against RFC 6238 Appendix B', () => {
  it('decodes the base32 seed to the RFC ASCII secret', () => {
    expect(base32Decode(RFC_SECRET_BASE32).toString('ascii')).toBe(RFC_SECRET_ASCII);
  });

  it.each(RFC_6238_SHA1_VECTORS)('hotp gives the 8-digit code at T=%i', (seconds, expected) => {
    expect(hotp(Buffer.from(RFC_SECRET_ASCII, 'ascii'), Math.floor(seconds / 30), 8)).toBe(expected);
  });

  it.each(RFC_6238_SHA1_VECTORS)('totpCode gives the 6-digit code at T=%i', (seconds, expected) => {
    expect(totpCode(RFC_SECRET_BASE32, seconds * 1000)).toBe(sixDigits(expected));
  });
});

describe("the gateway's matchTotp against RFC 6238 Appendix B", () => {
  it.each(RFC_6238_SHA1_VECTORS)('accepts the 6-digit code at T=%i as that time step', (seconds, expected) => {
    const nowMs = seconds * 1000;
    expect(matchTotp(RFC_SECRET_BASE32, sixDigits(expected), nowMs, null)).toBe(timeStepAt(nowMs));
  });

  it.each(RFC_6238_SHA1_VECTORS.slice(1))('accepts the code of T=%i one step either side, and no further', (seconds, expected) => {
    const step = Math.floor(seconds / 30);
    const code = sixDigits(expected);
    expect(matchTotp(RFC_SECRET_BASE32, code, midStep(step - 1), null)).toBe(step);
    expect(matchTotp(RFC_SECRET_BASE32, code, midStep(step + 1), null)).toBe(step);
    expect(matchTotp(RFC_SECRET_BASE32, code, midStep(step - 2), null)).toBeNull();
    expect(matchTotp(RFC_SECRET_BASE32, code, midStep(step + 2), null)).toBeNull();
  });

  it('accepts a code at both edges of its own step', () => {
    const step = Math.floor(1111111109 / 30);
    const code = sixDigits('07081804');
    expect(matchTotp(RFC_SECRET_BASE32, code, step * STEP_MS, null)).toBe(step);
    expect(matchTotp(RFC_SECRET_BASE32, code, (step + 1) * STEP_MS - 1, null)).toBe(step);
  });

  // Threat: a code seen once (shoulder-surfed, phished, logged) is replayed within its validity window.
  it('refuses a code of the step already used, and of any earlier step (afterStep)', () => {
    const step = Math.floor(1234567890 / 30);
    const code = sixDigits('89005924');
    const nowMs = midStep(step);
    expect(matchTotp(RFC_SECRET_BASE32, code, nowMs, step - 1)).toBe(step);
    expect(matchTotp(RFC_SECRET_BASE32, code, nowMs, step)).toBeNull();
    expect(matchTotp(RFC_SECRET_BASE32, code, nowMs, step + 1)).toBeNull();
    expect(matchTotp(RFC_SECRET_BASE32, totpCode(RFC_SECRET_BASE32, nowMs, -1), nowMs, step)).toBeNull();
    expect(matchTotp(RFC_SECRET_BASE32, totpCode(RFC_SECRET_BASE32, nowMs, 1), nowMs, step)).toBe(step + 1);
  });

  it('agrees with the independent helper on another secret across the window', () => {
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const nowMs = midStep(58_000_000);
    for (const offset of [-1, 0, 1]) {
      expect(matchTotp(secret, totpCode(secret, nowMs, offset), nowMs, null)).toBe(timeStepAt(nowMs) + offset);
    }
  });

  it.each(['', '12345', '1234567', '12345a', '２８７０８２', '94287082'])('refuses the malformed code %j', (code) => {
    expect(matchTotp(RFC_SECRET_BASE32, code, 59_000, null)).toBeNull();
  });

  it.each([' 287082', '287082 ', '287 082'])('accepts the code as apps show it, spaces and all: %j', (code) => {
    expect(matchTotp(RFC_SECRET_BASE32, code, 59_000, null)).toBe(timeStepAt(59_000));
  });

  it('refuses the right digits under another secret', () => {
    expect(matchTotp('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', sixDigits('94287082'), 59_000, null)).toBeNull();
  });

  it('accepts a code of the very first time step: with no step used yet, step 0 is no replay', () => {
    for (const nowMs of [0, 29_999]) expect(matchTotp(RFC_SECRET_BASE32, totpCode(RFC_SECRET_BASE32, 0), nowMs, null)).toBe(0);
  });

  // Steps 41649332 and 41649334 give the RFC secret the same code (found by search); both lie in the window of
  // step 41649333.
  it('takes the earliest step of the window when two steps share the code, as otplib does', () => {
    const [first, middle, last] = [41_649_332, 41_649_333, 41_649_334];
    const key = base32Decode(RFC_SECRET_BASE32);
    expect(hotp(key, first)).toBe(hotp(key, last));
    const code = hotp(key, first);
    expect(matchTotp(RFC_SECRET_BASE32, code, midStep(middle), null)).toBe(first);
    expect(otplibMatch(RFC_SECRET_BASE32, code, midStep(middle), null)).toBe(first);
    expect(matchTotp(RFC_SECRET_BASE32, code, midStep(middle), first)).toBe(last);
  });

  // A 128-bit key (the ASCII "1234567890123456") takes 26 base32 letters, so its padding is not empty.
  it.each([
    ['without padding', 'GEZDGNBVGY3TQOJQGEZDGNBVGY'],
    ['with its padding', 'GEZDGNBVGY3TQOJQGEZDGNBVGY======'],
    ['with more padding than a block', `GEZDGNBVGY3TQOJQGEZDGNBVGY${'='.repeat(14)}`],
    ['in lower case', 'gezdgnbvgy3tqojqgezdgnbvgy'],
  ])('reads a base32 secret %s', (_label, secret) => {
    const step = 40_000_000;
    const code = hotp(Buffer.from('1234567890123456', 'ascii'), step);
    expect(matchTotp(secret, code, midStep(step), null)).toBe(step);
  });

  // Threat: a secret damaged at rest (or written by hand) is read as some other key, which then passes codes.
  it.each([
    ['a letter outside the alphabet', 'GEZDGNBVGY3TQOJ1GEZDGNBVGY3TQOJQ', sixDigits('94287082')],
    ['padding in the middle, around the right letters', 'GEZDGNBVGY3TQOJQ=GEZDGNBVGY3TQOJQ', sixDigits('94287082')],
    ['nothing, with the code an empty key gives', '', hotp(Buffer.alloc(0), 1)],
    ['padding alone, with the code an empty key gives', '========', hotp(Buffer.alloc(0), 1)],
  ])('refuses a secret that is not a base32 key: %s', (_label, secret, code) => {
    expect(matchTotp(secret, code, 59_000, null)).toBeNull();
  });
});

describe('new TOTP secrets', () => {
  afterEach(() => vi.restoreAllMocks());

  it('are 160 bits, written in base32 without padding', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(secret)).toHaveLength(20);
  });

  it("draw their 20 random bytes from node:crypto's generator", () => {
    const randomBytes = vi.spyOn(NodeCryptoPlugin.prototype, 'randomBytes');
    newTotpSecret();
    expect(randomBytes).toHaveBeenCalledExactlyOnceWith(20);
  });

  it('differ every time', () => {
    const secrets = Array.from({ length: 200 }, newTotpSecret);
    expect(new Set(secrets).size).toBe(secrets.length);
  });
});

describe('the key URI of an authenticator app', () => {
  it('names the issuer, the account and the secret, and spells out SHA1, 6 digits and 30 seconds', () => {
    expect(totpUri(RFC_SECRET_BASE32, 'Acme Co', 'ana@example.com')).toBe(
      `otpauth://totp/Acme%20Co:ana%40example.com?secret=${RFC_SECRET_BASE32}&issuer=Acme%20Co&algorithm=SHA1&digits=6&period=30`,
    );
  });
});

/** otplib's verify with the gateway's parameters: the reference matchTotp (node:crypto HMAC) must agree with. */
function otplibMatch(secret: string, code: string, nowMs: number, afterStep: number | null): number | null {
  try {
    const result = verifySync({
      crypto: new NodeCryptoPlugin(),
      secret,
      token: code,
      algorithm: 'sha1',
      digits: 6,
      period: 30,
      epoch: Math.floor(nowMs / 1000),
      epochTolerance: 30,
      ...(afterStep === null ? {} : { afterTimeStep: afterStep }),
    });
    return result.valid ? timeStepAt(nowMs) + result.delta : null;
  } catch {
    return null;
  }
}

describe("the gateway's matchTotp against otplib", () => {
  it('gives the same answer for many random secrets, instants, codes and last used steps', () => {
    const crypto = new NodeCryptoPlugin();
    const random = (below: number) => Math.floor(Math.random() * below);
    let accepted = 0;
    for (let i = 0; i < 2000; i++) {
      const secret = generateSecret({ length: 20, crypto });
      const nowMs = random(4_000_000_000_000); // up to the year 2096
      const step = timeStepAt(nowMs);
      const afterStep = [null, step - 3, step - 2, step - 1, step, step + 1][random(6)];
      // The codes of steps -2 … +2, and a random one.
      const codes = [-2, -1, 0, 1, 2].map((offset) => totpCode(secret, nowMs, offset));
      codes.push(String(random(1_000_000)).padStart(6, '0'));
      for (const code of codes) {
        const expected = otplibMatch(secret, code, nowMs, afterStep);
        expect(matchTotp(secret, code, nowMs, afterStep), `${secret} ${code} at ${nowMs} after ${afterStep}`).toBe(expected);
        if (expected !== null) accepted++;
      }
    }
    expect(accepted).toBeGreaterThan(2000); // the comparison covered accepted codes, not only refusals
  });

  it('agrees on the RFC 6238 vectors, one step either side', () => {
    for (const [seconds, expected] of RFC_6238_SHA1_VECTORS) {
      for (const offset of [-2, -1, 0, 1, 2]) {
        const nowMs = midStep(Math.floor(seconds / 30) + offset);
        expect(matchTotp(RFC_SECRET_BASE32, sixDigits(expected), nowMs, null)).toBe(otplibMatch(RFC_SECRET_BASE32, sixDigits(expected), nowMs, null));
      }
    }
  });
});
