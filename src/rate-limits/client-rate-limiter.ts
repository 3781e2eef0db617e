import type { Clock } from '../clock';
import { Database, isUniqueViolation, sqlExecute } from '../db/database';
import { DomainError } from '../errors/domain-error';
import type { TwoFactorEventSink } from '../two-factor/two-factor-events';

export type RateLimitedAction = 'sign-in' | 'answer';

const WINDOW_MS = 60_000;

/**
 * Fixed one-minute windows per (action, client IP), counted in the database by conditional updates so every
 * gateway process spends from the same budget. A request over the budget is RATE_LIMITED before it is judged.
 */
export class ClientRateLimiter {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly perMinute: Record<RateLimitedAction, number>,
    private readonly onTwoFactorEvent: TwoFactorEventSink,
  ) {}

  async spend(action: RateLimitedAction, clientIp: string): Promise<void> {
    const limit = this.perMinute[action];
    if (!limit) return;
    const key = `${action}:${clientIp}`.slice(0, 191);
    const now = this.clock.now();
    if (!(await this.hit(key, limit, now, new Date(now.getTime() - WINDOW_MS)))) {
      if (action === 'answer') this.onTwoFactorEvent('answer-rate-limited');
      throw new DomainError('RATE_LIMITED', { retryAfterSeconds: Math.ceil(WINDOW_MS / 1000) });
    }
  }

  /**
   * Counts one hit if the budget allows it; every statement is atomic on its own. Usually the window is open
   * with room left: one UPDATE. Otherwise the last window has passed (start a new one), or there was none
   * (insert it; a racing process may insert first, then count against its row), or the budget is spent.
   */
  private async hit(key: string, limit: number, now: Date, expiredBefore: Date): Promise<boolean> {
    const write = (sql: string, params: unknown[]) => this.db.autocommit((manager) => sqlExecute(manager, sql, params));
    const count = () => write('UPDATE rate_limit_buckets SET hits = hits + 1 WHERE bucket_key = ? AND window_start > ? AND hits < ?', [key, expiredBefore, limit]);
    if ((await count()) === 1) return true;
    if ((await write('UPDATE rate_limit_buckets SET hits = 1, window_start = ? WHERE bucket_key = ? AND window_start <= ?', [now, key, expiredBefore])) === 1) return true;
    try {
      await write('INSERT INTO rate_limit_buckets (bucket_key, window_start, hits) VALUES (?, ?, 1)', [key, now]);
      return true;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return (await count()) === 1;
    }
  }
}
