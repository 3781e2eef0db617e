import { createHash } from 'node:crypto';
import type { Clock } from '../clock';
import { Database, isUniqueViolation, sqlExecute } from '../db/database';
import { DomainError } from '../errors/domain-error';
import type { TwoFactorEventSink } from '../two-factor/two-factor-events';
import { REAUTH_WINDOW_MS } from '../two-factor/limits';
import { clientBudgetKey } from './budget-key';

/** Budgets per client address. */
export type RateLimitedAction = 'sign-in' | 'answer' | 'reauthentication' | 'account-mail' | 'user-code';
/** Budgets per signed-in agent (the actor), wherever it calls from. */
export type ActorRateLimitedAction = 'tenant-change' | 'reauthentication' | 'password-check';
/** Budgets per signed-in session. */
export type SessionRateLimitedAction = 'user-code';
/** Budgets per e-mail address a request names, whether or not an account has it. */
export type AddressRateLimitedAction = 'account-mail';

type Action = RateLimitedAction | ActorRateLimitedAction | SessionRateLimitedAction | AddressRateLimitedAction;

/**
 * One unit of a client address's budget, to be counted by another statement's round trip (`sql`, the usual
 * counting UPDATE: one row changed = counted), and settled by the ClientRateLimit middleware of the first field
 * that spends from that budget (ClientRateLimiter.settle). Until whoever sends it sets `counted`, nothing is spent.
 */
export interface BudgetSpend {
  action: RateLimitedAction;
  clientIp: string;
  sql: string;
  params: unknown[];
  /** Set by the sender: whether the UPDATE counted the hit. Left undefined when it was not sent. */
  counted?: boolean;
  /** Set by the middleware that settled it: a second field spends as usual. */
  settled?: boolean;
}

const WINDOW_MS: Record<Action, number> = {
  'sign-in': 60_000,
  answer: 60_000,
  'tenant-change': 3600_000,
  reauthentication: 60_000,
  // The password checks of changePassword for an agent in no tenant, where re-authentication has no audit log to write to.
  'password-check': REAUTH_WINDOW_MS,
  // Password-reset requests and verification e-mails: each sends a message to the address.
  'account-mail': 3600_000,
  // Device sign-in user codes looked up, approved or denied: guessing a code in its 10 minutes.
  'user-code': 60_000,
};

/**
 * Fixed windows per (action, client address) or (action, agent), counted in the database by conditional updates
 * so every gateway process spends from the same budget. A request over the budget is RATE_LIMITED before it is
 * judged. Client addresses spend by clientBudgetKey (IPv6 per /64).
 */
export class ClientRateLimiter {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly perWindow: Record<Action, number>,
    private readonly onTwoFactorEvent: TwoFactorEventSink,
  ) {}

  async spend(action: RateLimitedAction, clientIp: string): Promise<void> {
    if (!(await this.spendFrom(action, `${action}:${clientBudgetKey(clientIp)}`))) {
      if (action === 'answer') this.onTwoFactorEvent('answer-rate-limited');
      throw new DomainError('RATE_LIMITED', { retryAfterSeconds: Math.ceil(WINDOW_MS[action] / 1000) });
    }
  }

  async spendForActor(action: ActorRateLimitedAction, agentId: string): Promise<void> {
    if (!(await this.spendFrom(action, `${action}:agent:${agentId}`))) {
      throw new DomainError('RATE_LIMITED', { retryAfterSeconds: Math.ceil(WINDOW_MS[action] / 1000) });
    }
  }

  async spendForSession(action: SessionRateLimitedAction, sessionId: string): Promise<void> {
    if (!(await this.spendFrom(action, `${action}:session:${sessionId}`))) {
      throw new DomainError('RATE_LIMITED', { retryAfterSeconds: Math.ceil(WINDOW_MS[action] / 1000) });
    }
  }

  /**
   * Spends from the budget of a normalised address, known to the gateway or not, so the answer tells nothing
   * about accounts. Keyed by the address's SHA-256: the table holds no addresses.
   */
  async spendForAddress(action: AddressRateLimitedAction, normalizedEmail: string): Promise<void> {
    const digest = createHash('sha256').update(normalizedEmail).digest('hex');
    if (!(await this.spendFrom(action, `${action}:address:${digest}`))) {
      throw new DomainError('RATE_LIMITED', { retryAfterSeconds: Math.ceil(WINDOW_MS[action] / 1000) });
    }
  }

  /**
   * A unit of the client address's budget for `action` that another statement will carry (BudgetSpend), or null
   * when the budget is off. Spends nothing by itself.
   */
  prepare(action: RateLimitedAction, clientIp: string): BudgetSpend | null {
    const limit = this.perWindow[action];
    if (!limit) return null;
    const now = this.clock.now();
    const { sql, params } = countingUpdate(`${action}:${clientBudgetKey(clientIp)}`.slice(0, 191), limit, now, new Date(now.getTime() - WINDOW_MS[action]));
    return { action, clientIp, sql, params };
  }

  /**
   * The ClientRateLimit middleware's spend where a BudgetSpend was prepared: counted already (one round trip
   * saved), or, when the carrying UPDATE found no room or no window yet (or was never sent), spent here as
   * `spend` would, from the start: the same statements and the same RATE_LIMITED.
   */
  async settle(spend: BudgetSpend): Promise<void> {
    spend.settled = true;
    if (spend.counted) return;
    await this.spend(spend.action, spend.clientIp);
  }

  /** False when the budget of this window is spent; a limit of 0 is off. */
  private async spendFrom(action: Action, key: string): Promise<boolean> {
    const limit = this.perWindow[action];
    if (!limit) return true;
    const now = this.clock.now();
    return this.hit(key.slice(0, 191), limit, now, new Date(now.getTime() - WINDOW_MS[action]));
  }

  /**
   * Counts one hit if the budget allows it; every statement is atomic on its own. Usually one UPDATE: the window
   * is open with room left (one more hit), or it has passed (a new window with this hit). Otherwise there was no
   * window yet (insert it; a racing process may insert first, then count against its row), or the budget is
   * spent. `hits` is set first and reads `window_start` before it changes (MySQL applies SET clauses in order).
   */
  private async hit(key: string, limit: number, now: Date, expiredBefore: Date): Promise<boolean> {
    const write = (sql: string, params: unknown[]) => this.db.autocommit((manager) => sqlExecute(manager, sql, params));
    const counting = countingUpdate(key, limit, now, expiredBefore);
    const count = () => write(counting.sql, counting.params);
    if ((await count()) === 1) return true;
    try {
      await write('INSERT INTO rate_limit_buckets (bucket_key, window_start, hits) VALUES (?, ?, 1)', [key, now]);
      return true;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return (await count()) === 1;
    }
  }
}

/**
 * The usual hit: one more in an open window with room left, or a new window with this hit when the last one
 * has passed. One row changed = counted. `hits` is set first and reads `window_start` before it changes (MySQL
 * applies SET clauses in order).
 */
function countingUpdate(key: string, limit: number, now: Date, expiredBefore: Date): { sql: string; params: unknown[] } {
  return {
    sql: `UPDATE rate_limit_buckets
            SET hits = CASE WHEN window_start <= ? THEN 1 ELSE hits + 1 END,
                window_start = CASE WHEN window_start <= ? THEN ? ELSE window_start END
          WHERE bucket_key = ? AND (window_start <= ? OR hits < ?)`,
    params: [expiredBefore, expiredBefore, now, key, expiredBefore, limit],
  };
}
