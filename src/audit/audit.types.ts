import { Field, ID, ObjectType } from 'type-graphql';
import type { AuditEventEntity } from '../db/entities';
import { PageInfo } from '../graphql/pagination';

/** Field resolvers (actor, subject, workspace) live in audit.resolver.ts. */
@ObjectType()
export class AuditEvent {
  @Field(() => ID) id!: string;
  @Field() at!: Date;
  @Field({
    description:
      'e.g. TWO_FACTOR_ENABLED, TWO_FACTOR_DISABLED, TWO_FACTOR_RESET, RECOVERY_CODES_REGENERATED, RECOVERY_CODE_USED, CHALLENGE_FAILED, CHALLENGE_INVALIDATED, TENANT_TWO_FACTOR_CHANGED, WORKSPACE_TWO_FACTOR_CHANGED, POLICY_CHANGED, SESSIONS_REVOKED, REAUTH_FAILED',
  })
  action!: string;
  actorAgentId!: string | null;
  subjectAgentId!: string | null;
  workspaceId!: string | null;
}

@ObjectType()
export class AuditEventEdge {
  @Field() cursor!: string;
  @Field(() => AuditEvent) node!: AuditEvent;
}

@ObjectType()
export class AuditEventConnection {
  @Field(() => [AuditEventEdge]) edges!: AuditEventEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

export function toAuditEvent(entity: AuditEventEntity): AuditEvent {
  return Object.assign(new AuditEvent(), {
    id: entity.id,
    at: entity.at,
    action: entity.action,
    actorAgentId: entity.actorAgentId,
    subjectAgentId: entity.subjectAgentId,
    workspaceId: entity.workspaceId,
  });
}
