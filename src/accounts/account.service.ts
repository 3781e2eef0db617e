import { IsNull } from 'typeorm';
import type { Clock } from '../clock';
import { hashPassword, verifyDecoyPassword, verifyPassword } from '../crypto/passwords';
import { hashSessionToken, newSessionToken } from '../crypto/tokens';
import { Database, Tx, isUniqueViolation, sqlRows } from '../db/database';
import { AgentEntity, SessionEntity } from '../db/entities';
import { newId } from '../db/ids';
import { DomainError, assertThat } from '../errors/domain-error';

/** The signed-in caller of a request. */
export interface SessionIdentity {
  sessionId: string;
  agentId: string;
}

export interface IssuedSession {
  token: string;
  expiresAt: Date;
  agent: AgentEntity;
}

/** First factor: accounts, passwords and bearer sessions. */
export class AccountService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly sessionTtlMs: number,
  ) {}

  async signUp(email: string, password: string, name: string): Promise<IssuedSession> {
    const now = this.clock.now();
    const agent: AgentEntity = {
      id: newId(),
      email: normalizeEmail(email),
      name: name.trim(),
      passwordHash: await hashPassword(password),
      createdAt: now,
      lastSessionId: null,
    };
    try {
      return await this.db.transaction(async (tx) => {
        await tx.insert(AgentEntity, agent);
        return this.startSession(tx, agent, now);
      });
    } catch (error) {
      // Same answer as a wrong password: sign-up must not reveal which emails have accounts.
      if (isUniqueViolation(error)) throw new DomainError('INVALID_CREDENTIALS');
      throw error;
    }
  }

  async signIn(email: string, password: string): Promise<IssuedSession> {
    const agent = await this.db.manager.findOneBy(AgentEntity, { email: normalizeEmail(email) });
    const isValid = agent ? await verifyPassword(agent.passwordHash, password) : await verifyDecoyPassword(password);
    assertThat(agent && isValid, 'INVALID_CREDENTIALS');
    return this.db.transaction((tx) => this.startSession(tx, agent, this.clock.now()));
  }

  async signOut(session: SessionIdentity): Promise<boolean> {
    await this.db.autocommit((manager) => manager.update(SessionEntity, { id: session.sessionId, endedAt: IsNull() }, { endedAt: this.clock.now() }));
    return true;
  }

  /** The live session a bearer token belongs to, or null. Every request asks this, so it is one plain statement. */
  async authenticate(token: string): Promise<SessionIdentity | null> {
    if (!token || token.length > 128) return null;
    const [session] = await sqlRows<{ id: string; agent_id: string }>(
      this.db.manager,
      'SELECT id, agent_id FROM sessions WHERE token_hash = ? AND ended_at IS NULL AND expires_at > ?',
      [hashSessionToken(token), this.clock.now()],
    );
    return session ? { sessionId: session.id, agentId: session.agent_id } : null;
  }

  /** Re-authentication for sensitive changes: INVALID_PASSWORD when wrong, and nothing changes. */
  async assertPassword(agentId: string, password: string): Promise<void> {
    const agent = await this.db.manager.findOne(AgentEntity, { select: { id: true, passwordHash: true }, where: { id: agentId } });
    assertThat(agent && (await verifyPassword(agent.passwordHash, password)), 'INVALID_PASSWORD');
  }

  private async startSession(tx: Tx, agent: AgentEntity, now: Date): Promise<IssuedSession> {
    const token = newSessionToken();
    const session: SessionEntity = {
      id: newId(),
      agentId: agent.id,
      tokenHash: hashSessionToken(token),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.sessionTtlMs),
      endedAt: null,
    };
    // The agent's row first: the session's foreign key would take a shared lock on it, and two sign-ins each
    // holding one while waiting to update it deadlock (MySQL/MariaDB).
    await this.db.lockRow(tx, 'agents', agent.id);
    await tx.insert(SessionEntity, session);
    // The latest sign-in, whose per-tenant second-factor record feeds `lastSignIn`.
    await tx.update(AgentEntity, { id: agent.id }, { lastSessionId: session.id });
    return { token, expiresAt: session.expiresAt, agent };
  }
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
