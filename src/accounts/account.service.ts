import { EntityManager, IsNull } from 'typeorm';
import type { RequestOrigin } from '../audit/audit-log';
import type { Clock } from '../clock';
import { hashPassword, verifyDecoyPassword, verifyPassword } from '../crypto/passwords';
import { hashSessionToken, newSessionToken } from '../crypto/tokens';
import { Database, isUniqueViolation, sqlExecute, sqlRows, Tx } from '../db/database';
import { AgentEntity, SessionEntity } from '../db/entities';
import { newId } from '../db/ids';
import { rawDate } from '../db/raw';
import { DomainError, assertThat } from '../errors/domain-error';
import type { SecurityNotices } from '../mail/security-notices';
import { signInLocked } from '../mail/templates/sign-in-locked';
import { AccountSignInLock, SignInAccount } from '../rate-limits/account-sign-in-lock';
import { normalizeEmail } from './email-address';
import type { BudgetSpend } from '../rate-limits/client-rate-limiter';
import type { SessionIdentity } from './session-identity';


/** What a new account is made from; the address is normalised and the name trimmed here. */
export interface NewAccount {
  email: string;
  password: string;
  name: string;
}

export interface IssuedSession {
  token: string;
  expiresAt: Date;
  agent: AgentEntity;
  sessionId: string;
}

/** Where a sign-in comes from, recorded on its session for the agent's own session list. */
export interface SignInOrigin {
  clientIp: string;
  userAgent: string | undefined;
  /** The name a device sign-in gives its session ("tenant-2fa on build-01"). */
  clientName?: string;
}

/**
 * Single sign-on's `required` (src/sso): where an address of a domain whose provider is required signs in, or
 * null when its password may be used.
 */
export interface SsoRequirement {
  signInUrlFor(normalizedEmail: string): Promise<string | null>;
}

/** One of the agent's live sessions, as its session list shows it. */
export interface SessionSummary {
  id: string;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  clientIp: string | null;
  userAgent: string | null;
  clientName: string | null;
}

export const SESSION_USER_AGENT_MAX_LENGTH = 256;
/** `lastUsedAt` is kept to this granularity, so a busy session writes at most once per interval. */
export const SESSION_LAST_USED_GRANULARITY_MS = 60_000;
/** The session list shows at most this many live sessions, newest first. */
export const SESSION_LIST_LIMIT = 100;
/** A bearer session that still holds, by its token's hash and the time now (authenticate). */
export const SESSION_LOOKUP = 'SELECT id, agent_id, last_used_at FROM sessions WHERE token_hash = ? AND ended_at IS NULL AND expires_at > ?';

/** First factor: accounts, passwords and bearer sessions. */
interface SessionRow {
  id: string;
  agent_id: string;
  last_used_at: unknown;
}

export class AccountService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly sessionTtlMs: number,
    private readonly notices: Pick<SecurityNotices, 'notifyAccount'>,
    private readonly ssoRequirement: SsoRequirement | null = null,
  ) {
    this.signInLock = new AccountSignInLock(db, clock);
  }

  private readonly signInLock: AccountSignInLock;

  /** An agent row with its password hashed, not yet inserted (argon2 runs before any transaction opens). */
  async newAgent(input: NewAccount, now: Date): Promise<AgentEntity> {
    return {
      id: newId(),
      email: normalizeEmail(input.email),
      name: input.name.trim(),
      passwordHash: await hashPassword(input.password),
      createdAt: now,
      lastSessionId: null,
      emailVerifiedAt: null,
    };
  }

  /**
   * Runs `work`, which inserts an agent, and answers a taken address as a wrong password would: creating an
   * account must not reveal which addresses have one.
   */
  async refusingTakenAddress<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError('INVALID_CREDENTIALS');
      throw error;
    }
  }

  /** An account made outside sign-up (the demo, `npm run create-owner`): no session, no e-mail. */
  async createAccount(input: NewAccount, options: { emailVerified: boolean }): Promise<AgentEntity> {
    const now = this.clock.now();
    const agent = { ...(await this.newAgent(input, now)), emailVerifiedAt: options.emailVerified ? now : null };
    await this.refusingTakenAddress(() => this.db.autocommit((manager) => manager.insert(AgentEntity, agent)));
    return agent;
  }

  /**
   * Known and unknown emails take the same steps (one lookup, an attempt claimed, one argon2 verification), so
   * neither the answer nor its timing tells whether an account exists. The attempt counts against the agent row
   * found, whatever spelling found it.
   *
   * An address of a domain whose identity provider is `required` is answered SSO_REQUIRED after the same steps
   * (the attempt claimed against the sign-in lock, one argon2 verification), right password or wrong, account or
   * none: the answer tells only that the domain signs in through its provider. Ten such attempts in a row lock the
   * address's password sign-in like ten wrong passwords, account or none.
   */
  async signIn(email: string, password: string, origin?: SignInOrigin): Promise<IssuedSession> {
    const normalized = normalizeEmail(email);
    const agent = await this.agentByEmail(normalized);
    const account: SignInAccount = agent ? { agentId: agent.id } : { unknownEmail: normalized };
    await this.signInLock.claimAttempt(account);
    const isValid = agent ? await verifyPassword(agent.passwordHash, password) : await verifyDecoyPassword(password);
    // The claimed attempt stays counted, and neither a success nor a failure is recorded: the statements are the same too.
    const ssoSignInUrl = this.ssoRequirement ? await this.ssoRequirement.signInUrlFor(normalized) : null;
    if (ssoSignInUrl) throw new DomainError('SSO_REQUIRED', { signInUrl: ssoSignInUrl });
    if (!agent || !isValid) {
      if (await this.signInLock.failedAndLocked(account)) await this.noticeOfLock(normalized, origin);
      throw new DomainError('INVALID_CREDENTIALS');
    }
    await this.signInLock.succeeded(account);
    // One statement: it needs no transaction around it (BEGIN and COMMIT would be two more round trips).
    return this.db.autocommit((manager) => this.startSession(manager, agent, this.clock.now(), origin));
  }

  /**
   * The agent hears that its sign-in is locked, once per lock. By the address, which found the agent exactly (one
   * spelling per address): an address without an account runs the same statement and gets nothing, so nothing
   * tells them apart.
   */
  private async noticeOfLock(normalizedEmail: string, origin: SignInOrigin | undefined): Promise<void> {
    const now = this.clock.now();
    const requestOrigin = { clientIp: origin?.clientIp ?? null, userAgent: origin?.userAgent ?? null };
    await this.db.transaction((tx) => this.notices.notifyAccount(tx, { email: normalizedEmail }, signInLocked, requestOrigin, now));
  }

  async signOut(session: SessionIdentity): Promise<boolean> {
    await this.db.autocommit((manager) => manager.update(SessionEntity, { id: session.sessionId, endedAt: IsNull() }, { endedAt: this.clock.now() }));
    return true;
  }

  /**
   * The live session a bearer token belongs to, or null. Every request asks this, so it is one plain statement;
   * once a minute per session a second one moves `last_used_at` on (conditional, so racing requests write once).
   */
  async authenticate(token: string, origin: RequestOrigin, carrying: BudgetSpend | null = null): Promise<SessionIdentity | null> {
    if (!token || token.length > 128) return null;
    const now = this.clock.now();
    const tokenHash = hashSessionToken(token);
    const [session] = (carrying && (await this.lookUpCarrying(carrying, tokenHash, now))) || (await sqlRows<SessionRow>(this.db.manager, SESSION_LOOKUP, [tokenHash, now]));
    if (!session) return null;
    const staleBefore = new Date(now.getTime() - SESSION_LAST_USED_GRANULARITY_MS);
    const lastUsedAt = rawDate(session.last_used_at);
    if (!lastUsedAt || lastUsedAt <= staleBefore) {
      await this.db.autocommit((manager) =>
        sqlExecute(manager, 'UPDATE sessions SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)', [now, session.id, staleBefore]),
      );
    }
    return { sessionId: session.id, agentId: session.agent_id, clientIp: origin.clientIp, userAgent: origin.userAgent ?? null };
  }

  /**
   * The session lookup and a unit of the client's budget (the rate limiter's counting UPDATE, autocommitted as it
   * would be alone) in one statement; records on `carrying` whether it counted, for the ClientRateLimit
   * middleware to settle. MariaDB: a compound statement: the session's use recorded as authenticate would (first,
   * so that a retry after a deadlock of the budget's UPDATE repeats nothing: it changes no row twice), the
   * budget's UPDATE, then the lookup with that UPDATE's ROW_COUNT.
   * SQLite: the UPDATE returning the session's columns (through the writer, as the UPDATE alone would go); a row
   * only when it counted, else null and the caller looks the session up alone. A deadlock is retried like any
   * single statement (Database.autocommit).
   */
  private async lookUpCarrying(carrying: BudgetSpend, tokenHash: string, now: Date): Promise<SessionRow[] | null> {
    const session = (column: string) => `(SELECT ${column} FROM sessions WHERE token_hash = ? AND ended_at IS NULL AND expires_at > ?) AS ${column}`;
    const rows = await this.db.autocommit((manager) =>
      this.db.isSqlite
        ? sqlRows<SessionRow & { counted: unknown }>(
            manager,
            `${carrying.sql} RETURNING 1 AS counted, ${session('id')}, ${session('agent_id')}, ${session('last_used_at')}`,
            [...carrying.params, tokenHash, now, tokenHash, now, tokenHash, now],
          )
        : sqlRows<SessionRow & { counted: unknown }>(
            manager,
            `BEGIN NOT ATOMIC
               DECLARE counted INT DEFAULT 0;
               UPDATE sessions SET last_used_at = ?
                WHERE token_hash = ? AND ended_at IS NULL AND expires_at > ? AND (last_used_at IS NULL OR last_used_at <= ?);
               ${carrying.sql};
               SET counted = ROW_COUNT();
               SELECT counted, s.id, s.agent_id, s.last_used_at
                 FROM (SELECT 1) one LEFT JOIN sessions s ON s.token_hash = ? AND s.ended_at IS NULL AND s.expires_at > ?;
             END`,
            [now, tokenHash, now, new Date(now.getTime() - SESSION_LAST_USED_GRANULARITY_MS), ...carrying.params, tokenHash, now],
          ),
    );
    carrying.counted = Number(rows[0]?.counted) === 1;
    if (!carrying.counted && this.db.isSqlite) return null;
    return rows.filter((row) => row.id !== null);
  }

  /** The agent's live sessions, newest first. */
  async liveSessions(agentId: string): Promise<SessionSummary[]> {
    const rows = await sqlRows<Record<string, unknown>>(
      this.db.manager,
      `SELECT id, created_at, expires_at, last_used_at, client_ip, user_agent, client_name FROM sessions
        WHERE agent_id = ? AND ended_at IS NULL AND expires_at > ? ORDER BY created_at DESC, id DESC LIMIT ${SESSION_LIST_LIMIT}`,
      [agentId, this.clock.now()],
    );
    return rows.map((row) => ({
      id: row.id as string,
      createdAt: rawDate(row.created_at)!,
      expiresAt: rawDate(row.expires_at)!,
      lastUsedAt: rawDate(row.last_used_at),
      clientIp: (row.client_ip as string | null) ?? null,
      userAgent: (row.user_agent as string | null) ?? null,
      clientName: (row.client_name as string | null) ?? null,
    }));
  }

  /** Ends one live session of the caller's own; NOT_FOUND for any other id (another agent's, ended, unknown). */
  async signOutSession(caller: SessionIdentity, sessionId: string): Promise<void> {
    const now = this.clock.now();
    const ended = await this.db.autocommit((manager) =>
      sqlExecute(manager, 'UPDATE sessions SET ended_at = ? WHERE id = ? AND agent_id = ? AND ended_at IS NULL AND expires_at > ?', [now, sessionId, caller.agentId, now]),
    );
    assertThat(ended === 1, 'NOT_FOUND');
  }

  /** Ends every live session of the caller but the current one; answers how many ended. */
  async signOutOtherSessions(caller: SessionIdentity): Promise<number> {
    const now = this.clock.now();
    return this.db.autocommit((manager) =>
      sqlExecute(manager, 'UPDATE sessions SET ended_at = ? WHERE agent_id = ? AND id <> ? AND ended_at IS NULL AND expires_at > ?', [now, caller.agentId, caller.sessionId, now]),
    );
  }

  /** Re-authentication for sensitive changes: INVALID_PASSWORD when wrong, and nothing changes. */
  async assertPassword(agentId: string, password: string): Promise<void> {
    const agent = await this.db.manager.findOne(AgentEntity, { select: { id: true, passwordHash: true }, where: { id: agentId } });
    assertThat(agent && (await verifyPassword(agent.passwordHash, password)), 'INVALID_PASSWORD');
  }

  /**
   * The agent with this (normalised) address, or null: one plain statement, the same whether or not it has an
   * account (sign-in and reset requests rely on that). TypeORM's find costs more than the statement here.
   */
  async agentByEmail(normalizedEmail: string): Promise<AgentEntity | null> {
    const [row] = await sqlRows<{ id: string; email: string; name: string; password_hash: string; created_at: unknown; last_session_id: string | null; email_verified_at: unknown }>(
      this.db.manager,
      'SELECT id, email, name, password_hash, created_at, last_session_id, email_verified_at FROM agents WHERE email = ?',
      [normalizedEmail],
    );
    if (!row) return null;
    return {
      id: row.id,
      email: row.email,
      name: row.name,
      passwordHash: row.password_hash,
      createdAt: rawDate(row.created_at)!,
      lastSessionId: row.last_session_id,
      emailVerifiedAt: rawDate(row.email_verified_at),
    };
  }

  /**
   * Ends every live session of the agent (but `except`, the caller's own, when given) in the caller's
   * transaction, and their standing in every tenant with them: a changed or reset password leaves no other way in.
   */
  async endSessions(tx: Tx, agentId: string, except: string | null, now: Date): Promise<void> {
    const others = except ? ' AND id <> ?' : '';
    const params = except ? [now, agentId, except] : [now, agentId];
    await sqlExecute(tx, `UPDATE sessions SET ended_at = ? WHERE agent_id = ? AND ended_at IS NULL${others}`, params);
    await sqlExecute(tx, `UPDATE tenant_standings SET revoked_at = ? WHERE agent_id = ? AND revoked_at IS NULL${except ? ' AND session_id <> ?' : ''}`, params);
  }

  /** The account's failed sign-ins no longer count (a password reset proved the mailbox). */
  async clearSignInLock(agent: Pick<AgentEntity, 'id'>): Promise<void> {
    await this.signInLock.succeeded({ agentId: agent.id });
  }

  /** A new session of the agent, on a transaction's manager (sign-up, reset) or alone (sign-in). */
  async startSession(manager: EntityManager, agent: AgentEntity, now: Date, origin: SignInOrigin | undefined): Promise<IssuedSession> {
    const token = newSessionToken();
    const session: SessionEntity = {
      id: newId(),
      agentId: agent.id,
      tokenHash: hashSessionToken(token),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.sessionTtlMs),
      endedAt: null,
      clientIp: origin?.clientIp.slice(0, 64) || null,
      userAgent: origin?.userAgent?.slice(0, SESSION_USER_AGENT_MAX_LENGTH) || null,
      lastUsedAt: now,
      clientName: origin?.clientName ?? null,
    };
    // Plain SQL, like the session lookup: TypeORM's insert builder costs several times the statement.
    await sqlExecute(
      manager,
      `INSERT INTO sessions (id, agent_id, token_hash, created_at, expires_at, ended_at, client_ip, user_agent, last_used_at, client_name)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [session.id, session.agentId, session.tokenHash, session.createdAt, session.expiresAt, session.endedAt, session.clientIp, session.userAgent, session.lastUsedAt, session.clientName],
    );
    return { token, expiresAt: session.expiresAt, agent, sessionId: session.id };
  }
}
