import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

const text = (name: string, length: number, isNullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable });
const instant = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'datetime', precision: 3, isNullable });

/**
 * `mail_outbox`: the transactional outbox. A row is written in the transaction of the change it reports
 * (PENDING), claimed by one gateway process for a lease (`claim_token`, `claimed_until`), and ends SENT or FAILED
 * (`finished_at`), its sealed `data` cleared then; finished rows are deleted after a week.
 * - `ix_mail_outbox_due` serves the claim (`state = 'PENDING' AND next_attempt_at <= now`), `ix_mail_outbox_claim`
 *   the read of one claim's rows, `ix_mail_outbox_finished` the purge, `ix_mail_outbox_key_id` the start-up key check.
 */
export class MailOutbox1795820000000 implements MigrationInterface {
  name = 'MailOutbox1795820000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'mail_outbox',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          text('recipient', 254),
          text('template', 64),
          { name: 'data', type: 'text' },
          text('key_id', 32),
          text('state', 16),
          { name: 'attempts', type: 'int', default: 0 },
          instant('next_attempt_at'),
          text('claim_token', 36, true),
          instant('claimed_until', true),
          text('last_error', 255, true),
          instant('created_at'),
          instant('finished_at', true),
        ],
        indices: [
          { name: 'ix_mail_outbox_due', columnNames: ['state', 'next_attempt_at'] },
          { name: 'ix_mail_outbox_claim', columnNames: ['claim_token'] },
          { name: 'ix_mail_outbox_finished', columnNames: ['finished_at'] },
          { name: 'ix_mail_outbox_key_id', columnNames: ['key_id'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('mail_outbox');
  }
}
