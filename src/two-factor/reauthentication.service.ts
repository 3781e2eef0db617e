import type { SessionIdentity } from '../accounts/session-identity';
import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import { verifyPassword } from '../crypto/passwords';
import { Database, isUniqueViolation, sqlExecute, sqlRows } from '../db/database';
import { rawDate, rawInt } from '../db/raw';
import { DomainError } from '../errors/domain-error';
import type { ClientRateLimiter } from '../rate-limits/client-rate-limiter';
import { REAUTH_LOCK_MS, REAUTH_MAX_FAILURES, REAUTH_WINDOW_MS } from './limits';

/**
 * Re-authentication: the one check behind every mutation that takes the caller's `password`. Callers decide
 * their state errors (ALREADY_ENROLLED, TWO_FACTOR_NOT_ENABLED, …) first, so the answer to a guess never
 * depends on anything but the password, then call `reauthenticate` with one line.
 *
 * Two limits, both counted in the database (all tenants, all processes):
 * - a budget of attempts, right or wrong, per client address and per agent each (RATE_LIMIT_REAUTH_PER_MINUTE):
 *   every attempt costs an argon2 verification, and a caller who knows its own password could otherwise buy
 *   them without end;
 * - per agent, 5 wrong passwords within 15 minutes make re-authentication RATE_LIMITED for 15 minutes. Each
 *   attempt reserves one of the window's 5 slots by a conditional UPDATE *before* the password is verified, so
 *   a burst of parallel guesses cannot all be judged; a right password gives its slot back (the budget above
 *   keeps it). Each wrong one is audited as REAUTH_FAILED in the tenant it was tried in, in the transaction
 *   that keeps its slot and, at the 5th, sets the lock.
 */
export class ReauthenticationService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly budget: ClientRateLimiter,
  ) {}

  async reauthenticate(session: SessionIdentity, tenantId: string, password: string): Promise<void> {
    const { agentId } = session;
    if (session.clientIp !== null) await this.budget.spend('reauthentication', session.clientIp); // null: not from a request
    await this.budget.spendForActor('reauthentication', agentId);
    const now = this.clock.now();
    await this.reserveAttempt(agentId, now);

    const [agent] = await sqlRows(this.db.manager, 'SELECT password_hash FROM agents WHERE id = ?', [agentId]);
    if (agent && (await verifyPassword(agent.password_hash as string, password))) {
      await this.write('UPDATE reauth_throttles SET failures = failures - 1 WHERE agent_id = ? AND failures > 0', [agentId]);
      return;
    }
    await this.db.transaction(async (tx) => {
      await sqlExecute(tx, 'UPDATE reauth_throttles SET locked_until = ?, failures = 0, window_started_at = NULL WHERE agent_id = ? AND failures >= ?', [
        new Date(now.getTime() + REAUTH_LOCK_MS),
        agentId,
        REAUTH_MAX_FAILURES,
      ]);
      await recordAudit(tx, now, session, { tenantId, action: 'REAUTH_FAILED', actorAgentId: agentId, subjectAgentId: agentId });
    });
    throw new DomainError('INVALID_PASSWORD');
  }

  /**
   * Counts one attempt in the agent's window (a window older than 15 minutes starts afresh) unless the agent
   * is locked or the window's attempts are spent. Each SET reads only columns not assigned before it, because
   * MySQL applies SET clauses left to right while SQLite reads the old row.
   */
  private async reserveAttempt(agentId: string, now: Date): Promise<void> {
    const windowFloor = new Date(now.getTime() - REAUTH_WINDOW_MS);
    const reserve = () =>
      this.write(
        `UPDATE reauth_throttles
            SET failures = CASE WHEN window_started_at IS NULL OR window_started_at <= ? THEN 1 ELSE failures + 1 END,
                window_started_at = CASE WHEN window_started_at IS NULL OR window_started_at <= ? THEN ? ELSE window_started_at END
          WHERE agent_id = ? AND (locked_until IS NULL OR locked_until <= ?)
            AND (window_started_at IS NULL OR window_started_at <= ? OR failures < ?)`,
        [windowFloor, windowFloor, now, agentId, now, windowFloor, REAUTH_MAX_FAILURES],
      );
    if ((await reserve()) === 1) return;

    const [row] = await sqlRows(this.db.manager, 'SELECT failures, window_started_at, locked_until FROM reauth_throttles WHERE agent_id = ?', [agentId]);
    if (!row) {
      try {
        await this.write('INSERT INTO reauth_throttles (agent_id, failures, window_started_at, locked_until) VALUES (?, 1, ?, NULL)', [agentId, now]);
        return;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        if ((await reserve()) === 1) return; // a racing first attempt inserted the row
      }
    }
    throw this.rateLimited(now, row);
  }

  private rateLimited(now: Date, row: Record<string, unknown> | undefined): DomainError {
    const lockedUntil = rawDate(row?.locked_until);
    const windowStart = rawDate(row?.window_started_at);
    const until =
      lockedUntil && lockedUntil > now
        ? lockedUntil
        : windowStart && rawInt(row?.failures) >= REAUTH_MAX_FAILURES
          ? new Date(windowStart.getTime() + REAUTH_WINDOW_MS)
          : new Date(now.getTime() + 1000); // slots held by attempts still in flight: try again in a moment
    return new DomainError('RATE_LIMITED', { retryAfterSeconds: Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)) });
  }

  private write(sql: string, params: unknown[]): Promise<number> {
    return this.db.autocommit((manager) => sqlExecute(manager, sql, params));
  }
}
