import type { SecretBox } from '../../../crypto/secret-box';

/** The binding of a sealed secret to its row: a ciphertext moved to another agent or tenant will not open. */
export const secretContext = (tenantId: string, agentId: string) => `totp:${tenantId}:${agentId}`;

/** The pair's TOTP secret, sealed at rest (AES-GCM envelope, see crypto/secret-box.ts). */
export function sealTotpSecret(secretBox: SecretBox, secret: string, tenantId: string, agentId: string) {
  return secretBox.seal(secret, secretContext(tenantId, agentId));
}

export function openTotpSecret(secretBox: SecretBox, row: { secretCiphertext: string; tenantId: string; agentId: string }): string {
  return secretBox.open(row.secretCiphertext, secretContext(row.tenantId, row.agentId));
}
