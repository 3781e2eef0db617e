import { Entity, PrimaryColumn } from 'typeorm';

/**
 * One 3-character piece (gram) of a membership's search_text: the posting lists of the admin search, per tenant
 * and gram in membership order (src/admin/agent-search.ts). Written with the membership. No foreign key to it: on
 * InnoDB one would add an index on membership_id, a second copy of every posting, for a delete that no path
 * makes; a path that removes a membership removes its grams in the same transaction.
 */
@Entity('member_search_grams')
export class MemberSearchGramEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 }) tenantId!: string;
  @PrimaryColumn({ type: 'varchar', length: 3 }) gram!: string;
  @PrimaryColumn({ name: 'membership_id', type: 'varchar', length: 36 }) membershipId!: string;
}
