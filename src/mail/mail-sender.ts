import type { Clock } from '../clock';
import type { SecretBox } from '../crypto/secret-box';
import { Database, sqlExecute, sqlRows } from '../db/database';
import { newId } from '../db/ids';
import { placeholders, rawDate, rawInt } from '../db/raw';
import type { PublicUrl } from '../http/public-url';
import type { Logger } from '../logger';
import { renderMail } from './mail-layout';
import { isPermanentRejection, MailTransport, SMTP_TIMEOUTS_MS } from './mail-transport';
import { OutboxState, outboxDataContext } from './outbox';
import { mailTemplateNamed } from './templates/registry';

/** Rows one claim takes. Sent one after the other, they fit the lease many times over. */
export const CLAIM_BATCH_SIZE = 10;
/** How long a claim holds: a process that dies mid-batch frees its rows after this. */
export const CLAIM_LEASE_MS = 5 * 60_000;
/** A send begins only while this much of the lease is left: more than one send's SMTP time-outs together. */
const SEND_MARGIN_MS = 2 * Object.values(SMTP_TIMEOUTS_MS).reduce((sum, ms) => sum + ms, 0);
/** Retries wait about 30 s, 1, 2, 4 … minutes, at most an hour, each with jitter (see retryDelayMs). */
const RETRY_BASE_MS = 30_000;
const RETRY_MAX_MS = 60 * 60_000;
/** A message still not accepted three days after it was written is given up (FAILED). */
export const GIVE_UP_AFTER_MS = 3 * 24 * 3600_000;
/** Finished rows (SENT, FAILED) are deleted a week after they finished. */
export const KEEP_FINISHED_MS = 7 * 24 * 3600_000;
const PURGE_EVERY_MS = 3600_000;
/** After an enqueue: long enough for the caller's transaction to have committed, usually. */
const WAKE_DELAY_MS = 50;

/** A PENDING row that is due and not held by a live claim (bind `now` twice). */
const CLAIMABLE = "state = 'PENDING' AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?)";

/**
 * The wait before attempt `attempts + 1`: exponential (RETRY_BASE_MS · 2^(attempts−1), at most RETRY_MAX_MS)
 * with "equal jitter" (half fixed, half random), so processes and messages that failed together do not all come
 * back at the same instant when the mail server does.
 */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1));
  return ceiling / 2 + (random() * ceiling) / 2;
}

interface ClaimedRow {
  id: string;
  recipient: string;
  template: string;
  data: string;
  attempts: number;
  createdAt: Date;
}

/**
 * Delivers the outbox, in every gateway process. A pass claims up to CLAIM_BATCH_SIZE due rows for a lease
 * (SQLite: one conditional UPDATE through the single writer; MariaDB/MySQL: `SELECT … FOR UPDATE SKIP LOCKED`
 * then a conditional UPDATE of those rows, which a Galera cluster certifies, so two nodes cannot both claim a
 * row), sends them one by one, and records each outcome only under its own claim. A row is thus sent by one
 * process at a time; only a process that dies after the mail server accepted a message but before recording it
 * leaves it to be sent again after the lease (with the same Message-ID).
 *
 * Passes run after each enqueue of this process (wake) and every MAIL_POLL_INTERVAL_MS (other processes' rows,
 * retries), and go on at once while a batch came back full. Once an hour a pass deletes finished rows older than
 * KEEP_FINISHED_MS.
 */
export class MailSender {
  private logger: Logger | undefined;
  /** The current pass's logger: every line carries a `reqId` of its own, as request lines do. */
  private log: Logger | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerDueAt = Infinity;
  private running: Promise<void> | undefined;
  private isStarted = false;
  private lastPurgeAt = -Infinity;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly secretBox: SecretBox,
    /** null with MAIL_DELIVERY=off: nothing is ever enqueued, and start does nothing. */
    private readonly transport: MailTransport | null,
    private readonly publicUrl: PublicUrl,
    private readonly pollIntervalMs: number,
  ) {}

  /** Begins the passes (the server calls it once it listens: links need PUBLIC_URL). */
  start(logger: Logger): void {
    if (!this.transport) return;
    this.logger = logger;
    this.isStarted = true;
    this.schedule(0);
  }

  /** A row was enqueued here: a pass soon, rather than at the next poll. */
  wake(): void {
    this.schedule(WAKE_DELAY_MS);
  }

  /** No new pass; waits for the one under way (its current send, then it stops), closes the transport. */
  async stop(): Promise<void> {
    this.isStarted = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    this.transport?.close();
  }

  private schedule(delayMs: number): void {
    if (!this.isStarted) return;
    const dueAt = Date.now() + delayMs;
    if (this.running) {
      this.timerDueAt = Math.min(this.timerDueAt, dueAt); // the pass under way schedules the next one
      return;
    }
    if (this.timer && this.timerDueAt <= dueAt) return;
    clearTimeout(this.timer);
    this.timerDueAt = dueAt;
    this.timer = setTimeout(() => this.runPass(), delayMs);
    this.timer.unref();
  }

  private runPass(): void {
    this.timer = undefined;
    this.timerDueAt = Infinity;
    this.log = this.logger?.child({ reqId: newId() });
    this.running = this.pass()
      .catch((error) => this.log?.error({ err: error }, 'mail outbox pass failed; trying again at the next poll'))
      .finally(() => {
        this.running = undefined;
        const next = this.timerDueAt;
        this.timerDueAt = Infinity;
        this.schedule(Number.isFinite(next) ? Math.max(0, next - Date.now()) : this.pollIntervalMs);
      });
  }

  private async pass(): Promise<void> {
    await this.purgeIfDue();
    while (this.isStarted && (await this.deliverBatch()) === CLAIM_BATCH_SIZE);
  }

  /** Claims and delivers one batch; answers how many rows it claimed. */
  private async deliverBatch(): Promise<number> {
    const now = this.clock.now();
    // Idle polls cost one indexed read, no transaction and no write.
    const [due] = await sqlRows(this.db.manager, `SELECT id FROM mail_outbox WHERE ${CLAIMABLE} LIMIT 1`, [now, now]);
    if (!due) return 0;
    const token = newId();
    const leaseEnds = new Date(now.getTime() + CLAIM_LEASE_MS);
    if (!(await this.claim(token, now, leaseEnds))) return 0;
    const rows = (
      await sqlRows(this.db.manager, 'SELECT id, recipient, template, data, attempts, created_at FROM mail_outbox WHERE claim_token = ? ORDER BY next_attempt_at, id', [token])
    ).map(
      (row): ClaimedRow => ({
        id: row.id as string,
        recipient: row.recipient as string,
        template: row.template as string,
        data: row.data as string,
        attempts: rawInt(row.attempts),
        createdAt: rawDate(row.created_at)!,
      }),
    );
    for (const row of rows) {
      if (!this.isStarted || this.clock.now().getTime() + SEND_MARGIN_MS > leaseEnds.getTime()) {
        await this.release(token); // stopping, or too little lease left: the rest go to the next claim
        break;
      }
      await this.deliver(row, token);
    }
    return rows.length;
  }

  private async claim(token: string, now: Date, leaseEnds: Date): Promise<number> {
    if (this.db.isSqlite) {
      // One writer at a time: the conditional UPDATE itself is the claim.
      return this.db.autocommit((manager) =>
        sqlExecute(
          manager,
          `UPDATE mail_outbox SET claim_token = ?, claimed_until = ?
            WHERE id IN (SELECT id FROM mail_outbox WHERE ${CLAIMABLE} ORDER BY next_attempt_at, id LIMIT ${CLAIM_BATCH_SIZE})`,
          [token, leaseEnds, now, now],
        ),
      );
    }
    return this.db.transaction(async (tx) => {
      // Rows another process is claiming right now are skipped, not waited for.
      const ids = (
        await sqlRows<{ id: string }>(tx, `SELECT id FROM mail_outbox WHERE ${CLAIMABLE} ORDER BY next_attempt_at, id LIMIT ${CLAIM_BATCH_SIZE} FOR UPDATE SKIP LOCKED`, [now, now])
      ).map((row) => row.id);
      if (!ids.length) return 0;
      // Row locks hold on one node of a Galera cluster only: this conditional write is what the cluster certifies.
      return sqlExecute(tx, `UPDATE mail_outbox SET claim_token = ?, claimed_until = ? WHERE id IN (${placeholders(ids)}) AND ${CLAIMABLE}`, [
        token,
        leaseEnds,
        ...ids,
        now,
        now,
      ]);
    });
  }

  private async deliver(row: ClaimedRow, token: string): Promise<void> {
    let file: string | undefined;
    try {
      const template = mailTemplateNamed(row.template);
      if (!template) throw new Error(`no mail template "${row.template}" in this build`); // a newer process may know it
      const data = JSON.parse(this.secretBox.open(row.data, outboxDataContext(row.id))) as Record<string, unknown>;
      const content = template.content(data, { to: row.recipient, link: (path, query) => this.publicUrl.link(path, query) });
      const parts = renderMail(content, this.publicUrl.base);
      ({ file } = await this.transport!.send({ id: row.id, template: row.template, to: row.recipient, ...parts }));
    } catch (error) {
      return this.failed(row, token, error);
    }
    // Outside the try: a failure to record a message the server accepted must not schedule it again.
    await this.finish(row, token, 'SENT', null);
    if (file) this.log?.info({ mailId: row.id, template: row.template, file }, `Mail written to ${file}`);
    else this.log?.info({ mailId: row.id, template: row.template }, 'mail sent');
  }

  private async failed(row: ClaimedRow, token: string, error: unknown): Promise<void> {
    const now = this.clock.now();
    const reason = String((error as Error)?.message ?? error).slice(0, 255);
    const givesUp = isPermanentRejection(error) || now.getTime() - row.createdAt.getTime() >= GIVE_UP_AFTER_MS;
    if (givesUp) {
      await this.finish(row, token, 'FAILED', reason);
      this.log?.error({ mailId: row.id, template: row.template, attempts: row.attempts + 1, reason }, 'mail given up');
      return;
    }
    const nextAttemptAt = new Date(now.getTime() + retryDelayMs(row.attempts + 1));
    await this.db.autocommit((manager) =>
      sqlExecute(
        manager,
        `UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, claim_token = NULL, claimed_until = NULL
          WHERE id = ? AND claim_token = ? AND state = 'PENDING'`,
        [nextAttemptAt, reason, row.id, token],
      ),
    );
    this.log?.warn({ mailId: row.id, template: row.template, attempts: row.attempts + 1, reason, nextAttemptAt }, 'mail not delivered; will try again');
  }

  /** PENDING → SENT or FAILED under this claim; the sealed data is cleared, as nothing will read it again. */
  private async finish(row: ClaimedRow, token: string, state: Exclude<OutboxState, 'PENDING'>, reason: string | null): Promise<void> {
    const moved = await this.db.autocommit((manager) =>
      sqlExecute(
        manager,
        `UPDATE mail_outbox SET state = ?, attempts = attempts + 1, finished_at = ?, last_error = ?, data = '', key_id = '', claim_token = NULL, claimed_until = NULL
          WHERE id = ? AND claim_token = ? AND state = 'PENDING'`,
        [state, this.clock.now(), reason, row.id, token],
      ),
    );
    if (moved !== 1) this.log?.warn({ mailId: row.id }, 'mail outbox row was claimed again before it was recorded (its lease ran out)');
  }

  /** Hands back what this claim did not get to. */
  private async release(token: string): Promise<void> {
    await this.db.autocommit((manager) =>
      sqlExecute(manager, "UPDATE mail_outbox SET claim_token = NULL, claimed_until = NULL WHERE claim_token = ? AND state = 'PENDING'", [token]),
    );
  }

  private async purgeIfDue(): Promise<void> {
    const now = this.clock.now().getTime();
    if (now - this.lastPurgeAt < PURGE_EVERY_MS) return;
    this.lastPurgeAt = now;
    await this.db.autocommit((manager) => sqlExecute(manager, 'DELETE FROM mail_outbox WHERE finished_at < ?', [new Date(now - KEEP_FINISHED_MS)]));
  }
}
