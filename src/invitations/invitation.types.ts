import { Field, ID, ObjectType } from 'type-graphql';
import type { TenantInvitationEntity } from '../db/entities';
import { TenantRole } from '../tenancy/tenancy.types';

/** A pending invitation. Field resolvers `tenant` and `invitedBy` live in invitation.resolver.ts; the token is never readable. */
@ObjectType()
export class TenantInvitation {
  @Field(() => ID) id!: string;
  @Field({ description: 'The invited address, normalised.' }) email!: string;
  @Field(() => TenantRole) role!: TenantRole;
  @Field() createdAt!: Date;
  @Field() expiresAt!: Date;
  tenantId!: string;
  invitedByAgentId!: string | null;
}

export function toTenantInvitation(entity: TenantInvitationEntity): TenantInvitation {
  return Object.assign(new TenantInvitation(), {
    id: entity.id,
    email: entity.email,
    role: entity.role,
    createdAt: entity.createdAt,
    expiresAt: entity.expiresAt,
    tenantId: entity.tenantId,
    invitedByAgentId: entity.invitedByAgentId,
  });
}
