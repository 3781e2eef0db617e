import type { Clock } from '../clock';
import { Database, Tx, isUniqueViolation } from '../db/database';
import { RateLimitBucketEntity } from '../db/entities';
import { rawInt } from '../db/raw';
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
    const windowStart = new Date(now.getTime() - WINDOW_MS);
    const hits = await this.hit(key, now, windowStart);
    if (hits > limit) {
      if (action === 'answer') this.onTwoFactorEvent('answer-rate-limited');
      throw new DomainError('RATE_LIMITED', { retryAfterSeconds: Math.ceil(WINDOW_MS / 1000) });
    }
  }

  /** Counts one hit in the current window (opening a new one when the last has passed); returns the count. */
  private async hit(key: string, now: Date, expiredBefore: Date): Promise<number> {
    for (;;) {
      const hits = await this.db.transaction((tx) => this.tryHit(tx, key, now, expiredBefore)).catch((error) => {
        if (isUniqueViolation(error)) return null; // another process opened the window first: count again
        throw error;
      });
      if (hits !== null) return hits;
    }
  }

  private async tryHit(tx: Tx, key: string, now: Date, expiredBefore: Date): Promise<number> {
    const counted = await tx
      .createQueryBuilder()
      .update('rate_limit_buckets')
      .set({ hits: () => 'hits + 1' })
      .where('bucket_key = :key AND window_start > :expiredBefore', { key, expiredBefore })
      .execute();
    if (counted.affected === 1) return rawInt((await tx.findOneByOrFail(RateLimitBucketEntity, { key })).hits);
    const reopened = await tx
      .createQueryBuilder()
      .update('rate_limit_buckets')
      .set({ hits: 1, windowStart: now })
      .where('bucket_key = :key AND window_start <= :expiredBefore', { key, expiredBefore })
      .execute();
    if (reopened.affected !== 1) await tx.insert(RateLimitBucketEntity, { key, windowStart: now, hits: 1 });
    return 1;
  }
}
