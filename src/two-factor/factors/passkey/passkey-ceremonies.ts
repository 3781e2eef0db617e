import type { SessionIdentity } from '../../../accounts/session-identity';
import { Database, sqlExecute, Tx } from '../../../db/database';
import { PasskeyEntity, WebAuthnChallengeEntity } from '../../../db/entities';
import type { WebAuthnPurpose } from '../../../db/entities/webauthn-challenge.entity';
import { newId } from '../../../db/ids';
import { rawInt } from '../../../db/raw';
import { StoredCredential, WEBAUTHN_CHALLENGE_LIFETIME_MS } from './webauthn';

/**
 * What registration and assertion share: their ceremonies' challenges in the database (any gateway process can
 * finish what another began), single use, bound to the session, 5 minutes; and the pair's passkeys as the
 * WebAuthn library wants them.
 */

/** Options a begun ceremony hands the browser, and when its challenge expires. */
export interface PasskeyOptionsView {
  options: Record<string, unknown>;
  expiresAt: Date;
}

/** Stores a ceremony's challenge (and drops this session's expired ones); answers when it expires. */
export async function storeCeremony(
  db: Database,
  session: SessionIdentity,
  tenantId: string,
  purpose: WebAuthnPurpose,
  challengeId: string | null,
  challenge: string,
  now: Date,
): Promise<Date> {
  const expiresAt = new Date(now.getTime() + WEBAUTHN_CHALLENGE_LIFETIME_MS);
  await db.transaction(async (tx) => {
    await sqlExecute(tx, 'DELETE FROM webauthn_challenges WHERE session_id = ? AND expires_at <= ?', [session.sessionId, now]);
    await tx.insert(WebAuthnChallengeEntity, {
      id: newId(),
      sessionId: session.sessionId,
      tenantId,
      agentId: session.agentId,
      purpose,
      challengeId,
      challenge,
      expiresAt,
      usedAt: null,
      createdAt: now,
    });
  });
  return expiresAt;
}

/** The unused, unexpired ceremony a response names, if it is this session's and for this tenant or challenge. */
export async function openCeremony(
  tx: Tx,
  session: Pick<SessionIdentity, 'sessionId'>,
  purpose: WebAuthnPurpose,
  challenge: string | null,
  scope: { tenantId: string } | { challengeId: string },
  now: Date,
): Promise<WebAuthnChallengeEntity | null> {
  if (!challenge) return null;
  const found = await tx.findOneBy(WebAuthnChallengeEntity, { challenge, sessionId: session.sessionId, purpose, ...scope });
  return found && found.usedAt === null && found.expiresAt > now ? found : null;
}

/** Single use: the ceremony is spent by exactly one statement, in any process. */
export async function spendCeremony(tx: Tx, id: string, now: Date): Promise<boolean> {
  return (await sqlExecute(tx, 'UPDATE webauthn_challenges SET used_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?', [now, id, now])) === 1;
}

/** The pair's passkeys, oldest first. */
export function pairPasskeys(db: Database, tenantId: string, agentId: string): Promise<PasskeyEntity[]> {
  return db.manager.find(PasskeyEntity, { where: { tenantId, agentId }, order: { createdAt: 'ASC', id: 'ASC' } });
}

export function toStored(passkey: PasskeyEntity): StoredCredential {
  return { credentialId: passkey.credentialId, publicKey: passkey.publicKey, counter: rawInt(passkey.counter), transports: JSON.parse(passkey.transports) as string[] };
}
