import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/** Counts a tenant's enrolled agents from the index alone (the admin listing's totalCount). */
export class AuthenticatorStateIndex1795700000000 implements MigrationInterface {
  name = 'AuthenticatorStateIndex1795700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('authenticators', new TableIndex({ name: 'ix_authenticators_tenant_state', columnNames: ['tenant_id', 'state'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('authenticators', 'ix_authenticators_tenant_state');
  }
}
