import { MoreThan, Not } from 'typeorm';
import type { SecretBox } from '../crypto/secret-box';
import { Database, sqlExecute, Tx } from '../db/database';
import { MailOutboxEntity } from '../db/entities';
import { newId } from '../db/ids';
import type { MailQueue, OutgoingMail } from './mail-queue';

/**
 * A row's life: PENDING (written with its change, due at `next_attempt_at`) → SENT, or FAILED (the mail server
 * refused the recipient for good, or it kept failing for three days). mail-sender.ts owns the moves.
 */
export type OutboxState = 'PENDING' | 'SENT' | 'FAILED';

/** The associated data of a row's sealed `data`: it opens on the row it was written to and nowhere else. */
export function outboxDataContext(id: string): string {
  return `mail_outbox:${id}`;
}

/** Who a message goes to when the caller knows the agent but not (or should not read) its address. */
export type AgentRecipient = { agentId: string } | { email: string };

/**
 * The MailQueue of the gateway: one INSERT in the caller's transaction, `data` sealed with the ENCRYPTION_KEYS
 * envelope (a link's token rides in it). With MAIL_DELIVERY=off nothing is written.
 */
export class MailOutbox implements MailQueue {
  private listener: () => void = () => undefined;

  constructor(
    private readonly secretBox: SecretBox,
    private readonly isOff: boolean,
  ) {}

  /** The sender hears of each new row, so it sends at once rather than at its next poll. */
  onEnqueued(listener: () => void): void {
    this.listener = listener;
  }

  async enqueue(tx: Tx, mail: OutgoingMail, now: Date): Promise<void> {
    if (this.isOff) return;
    const id = newId();
    const sealed = this.secretBox.seal(JSON.stringify(mail.data), outboxDataContext(id));
    await tx.insert(MailOutboxEntity, {
      id,
      recipient: mail.to,
      template: mail.template,
      data: sealed.envelope,
      keyId: sealed.keyId,
      state: 'PENDING' satisfies OutboxState,
      attempts: 0,
      nextAttemptAt: now,
      claimToken: null,
      claimedUntil: null,
      lastError: null,
      createdAt: now,
      finishedAt: null,
    });
    this.listener();
  }

  /**
   * A message to an agent whose address is read in the same statement (INSERT … SELECT): for an address with no
   * account nothing is written, and the statements run are the same either way, so nothing tells them apart.
   */
  async enqueueToAgent(tx: Tx, recipient: AgentRecipient, template: string, data: Record<string, unknown>, now: Date): Promise<void> {
    if (this.isOff) return;
    const id = newId();
    const sealed = this.secretBox.seal(JSON.stringify(data), outboxDataContext(id));
    const [column, value] = 'agentId' in recipient ? ['id', recipient.agentId] : ['email', recipient.email];
    const inserted = await sqlExecute(
      tx,
      `INSERT INTO mail_outbox (id, recipient, template, data, key_id, state, attempts, next_attempt_at, created_at)
       SELECT ?, email, ?, ?, ?, 'PENDING', 0, ?, ? FROM agents WHERE ${column} = ?`,
      [id, template, sealed.envelope, sealed.keyId, now, now, value],
    );
    if (inserted) this.listener();
  }
}

const RESEAL_BATCH_SIZE = 200;

/**
 * rotate-keys: re-seals the data of messages still waiting (a mail server may be down for days) under the
 * current key, each row only if its data is still the one read (the sender may finish it meanwhile). Finished
 * rows hold no data.
 */
export async function resealPendingMail(db: Database, secretBox: SecretBox): Promise<number> {
  const currentKeyId = secretBox.currentKeyId;
  let resealed = 0;
  let afterId = '';
  for (;;) {
    const batch = await db.manager.find(MailOutboxEntity, {
      select: { id: true, data: true },
      where: { state: 'PENDING', keyId: Not(currentKeyId), id: MoreThan(afterId) },
      order: { id: 'ASC' },
      take: RESEAL_BATCH_SIZE,
    });
    if (!batch.length) return resealed;
    for (const row of batch) {
      const context = outboxDataContext(row.id);
      const sealed = secretBox.seal(secretBox.open(row.data, context), context);
      const result = await db.autocommit((manager) => manager.update(MailOutboxEntity, { id: row.id, data: row.data }, { data: sealed.envelope, keyId: sealed.keyId }));
      resealed += result.affected ?? 0;
    }
    afterId = batch[batch.length - 1].id;
  }
}
