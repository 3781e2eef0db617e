import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A fixed-window counter (e.g. sign-ins per client IP), shared by every gateway process. */
@Entity('rate_limit_buckets')
export class RateLimitBucketEntity {
  /** e.g. `sign-in:ip:203.0.113.7`. */
  @PrimaryColumn({ name: 'bucket_key', type: 'varchar', length: 191 }) key!: string;
  @Column({ name: 'window_start', type: 'datetime', precision: 3 }) windowStart!: Date;
  @Column({ type: 'integer', default: 0 }) hits!: number;
}
