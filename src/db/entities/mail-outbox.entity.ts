import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One e-mail in the transactional outbox (src/mail/outbox.ts). `data` is sealed, and cleared once finished. */
@Entity('mail_outbox')
export class MailOutboxEntity {
  /** UUIDv7, and the Message-ID's local part: a message sent again keeps its Message-ID. */
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 254 }) recipient!: string;
  @Column({ type: 'varchar', length: 64 }) template!: string;
  /** The template's data as JSON in a SecretBox envelope bound to the row id; '' once the row is finished. */
  @Column({ type: 'text' }) data!: string;
  @Column({ name: 'key_id', type: 'varchar', length: 32 }) keyId!: string;
  /** PENDING → SENT | FAILED. */
  @Column({ type: 'varchar', length: 16 }) state!: string;
  @Column({ type: 'int', default: 0 }) attempts!: number;
  @Column({ name: 'next_attempt_at', type: 'datetime', precision: 3 }) nextAttemptAt!: Date;
  /** The claim of the process sending it, until `claimedUntil` (the lease). */
  @Column({ name: 'claim_token', type: 'varchar', length: 36, nullable: true }) claimToken!: string | null;
  @Column({ name: 'claimed_until', type: 'datetime', precision: 3, nullable: true }) claimedUntil!: Date | null;
  /** Why the last attempt failed (the mail server's answer), never the message's content. */
  @Column({ name: 'last_error', type: 'varchar', length: 255, nullable: true }) lastError!: string | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'finished_at', type: 'datetime', precision: 3, nullable: true }) finishedAt!: Date | null;
}
