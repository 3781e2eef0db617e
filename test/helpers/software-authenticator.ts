import { createHash, createPublicKey, generateKeyPairSync, KeyObject, randomBytes, sign } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/**
 * A WebAuthn authenticator in software, for the API tests: P-256 keys from node:crypto, attestation `none`,
 * assertions signed as a platform authenticator would. CBOR comes from @simplewebauthn's own encoder; the
 * bytes, flags and signatures are laid out here (WebAuthn Level 3 §6.1, §6.5), independently of the gateway.
 *
 * Switches make it misbehave the ways a test needs: another origin or RP id, a given counter, a given
 * credential (e.g. one registered in another tenant), or a given challenge (e.g. an old one).
 */
export interface Ceremony {
  origin?: string;
  rpId?: string;
  challenge?: string;
}

export interface RegistrationSwitches extends Ceremony {
  /** Register this existing credential (its id and key) again instead of making a new one. */
  reuseCredentialId?: string;
}

export interface AssertionSwitches extends Ceremony {
  /** Sign with this credential whatever allowCredentials says. */
  credentialId?: string;
  /** The signature counter to report (default: one more than the last). */
  counter?: number;
  /** Corrupt the signature. */
  badSignature?: boolean;
}

interface Credential {
  id: string;
  privateKey: KeyObject;
  rpId: string;
  userHandle: string;
  counter: number;
}

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

const b64url = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | Buffer | string) => createHash('sha256').update(data).digest();

export class SoftwareAuthenticator {
  private readonly credentials = new Map<string, Credential>();

  /**
   * @param origin the page the browser would be on
   * @param synced report the credential as backup-eligible and backed up (a synced passkey)
   * @param counting a counter that grows with each use (platform passkeys often keep it at 0)
   */
  constructor(
    readonly origin: string,
    private readonly options: { synced?: boolean; counting?: boolean } = {},
  ) {}

  /** navigator.credentials.create: the RegistrationResponseJSON for these creation options. */
  register(creation: Record<string, any>, switches: RegistrationSwitches = {}): Record<string, unknown> {
    const rpId = switches.rpId ?? creation.rp.id;
    const reused = switches.reuseCredentialId ? this.credentials.get(switches.reuseCredentialId) : undefined;
    const { privateKey, publicKey } = reused
      ? { privateKey: reused.privateKey, publicKey: createPublicKey(reused.privateKey) }
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const rawId = reused ? Buffer.from(reused.id, 'base64url') : randomBytes(32);
    const id = b64url(rawId);
    const counter = this.options.counting ? 1 : 0;
    this.credentials.set(id, { id, privateKey, rpId, userHandle: creation.user.id, counter });

    const credentialIdLength = Buffer.alloc(2);
    credentialIdLength.writeUInt16BE(rawId.length);
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([FLAG_UP | FLAG_UV | FLAG_AT | this.backupFlags()]),
      uint32(counter),
      Buffer.alloc(16), // AAGUID: none
      credentialIdLength,
      rawId,
      Buffer.from(cose),
    ]);
    const attestation = new Map<string, string | Uint8Array | Map<string, string>>();
    attestation.set('fmt', 'none');
    attestation.set('attStmt', new Map<string, string>());
    attestation.set('authData', authData);
    const attestationObject = isoCBOR.encode(attestation);
    const clientDataJSON = this.clientData('webauthn.create', switches.challenge ?? creation.challenge, switches.origin);
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: { clientDataJSON: b64url(clientDataJSON), attestationObject: b64url(attestationObject), transports: ['internal'] },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** navigator.credentials.get: the AuthenticationResponseJSON for these request options. */
  assert(request: Record<string, any>, switches: AssertionSwitches = {}): Record<string, unknown> {
    const allowed: string[] = (request.allowCredentials ?? []).map((c: { id: string }) => c.id);
    const id = switches.credentialId ?? allowed.find((candidate) => this.credentials.has(candidate));
    const credential = id && this.credentials.get(id);
    if (!credential) throw new Error('no credential of this authenticator is allowed');
    const counter = switches.counter ?? (this.options.counting ? credential.counter + 1 : 0);
    credential.counter = Math.max(credential.counter, counter);

    const authenticatorData = Buffer.concat([sha256(switches.rpId ?? request.rpId ?? credential.rpId), Buffer.from([FLAG_UP | FLAG_UV | this.backupFlags()]), uint32(counter)]);
    const clientDataJSON = this.clientData('webauthn.get', switches.challenge ?? request.challenge, switches.origin);
    let signature = sign('sha256', Buffer.concat([authenticatorData, sha256(clientDataJSON)]), credential.privateKey);
    if (switches.badSignature) signature = Buffer.from(signature.map((byte, i) => (i === signature.length - 1 ? byte ^ 0xff : byte)));
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authenticatorData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** Lends a credential to another authenticator (a cloned key, or the same passkey used in another tenant). */
  copyCredentialTo(other: SoftwareAuthenticator, id: string): void {
    other.credentials.set(id, { ...this.credentials.get(id)! });
  }

  private clientData(type: string, challenge: string, origin = this.origin): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  private backupFlags(): number {
    return this.options.synced ? FLAG_BE | FLAG_BS : 0;
  }
}

function uint32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
}
