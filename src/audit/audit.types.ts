import { ArrayMaxSize, IsOptional, Matches } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import type { AuditEventEntity } from '../db/entities';
import { PageInfo } from '../graphql/pagination';
import { TwoFactorMethod } from '../two-factor/two-factor.types';
import { AUDIT_ACTIONS } from './audit-log';

/** Field resolvers (actor, subject, workspace) live in audit.resolver.ts. */
@ObjectType()
export class AuditEvent {
  @Field(() => ID) id!: string;
  @Field() at!: Date;
  @Field({
    // A String, not an enum, in the contract: the list is the one in audit-log.ts, so a new action shows here.
    description: `One of ${AUDIT_ACTIONS.join(', ')}.`,
  })
  action!: string;
  @Field(() => TwoFactorMethod, { nullable: true, description: 'The second factor involved (CHALLENGE_PASSED, CHALLENGE_FAILED, PASSKEY_ADDED, …).' })
  method!: TwoFactorMethod | null;
  @Field(() => String, { nullable: true, description: 'The client address the request came from (after TRUSTED_PROXY_HOPS).' })
  clientIp!: string | null;
  @Field(() => String, { nullable: true, description: 'What the event adds in words: the identity provider and the amr it reported (SSO_SIGN_IN), why a sign-in was refused (SSO_SIGN_IN_REFUSED).' })
  detail!: string | null;
  actorAgentId!: string | null;
  subjectAgentId!: string | null;
  workspaceId!: string | null;
}

/** At most this many action names in one filter: every action there is, with room to spare. */
export const MAX_FILTER_ACTIONS = 50;

@InputType({ description: 'Every field narrows; all given must hold.' })
export class AuditLogFilter {
  @Field(() => [String], { nullable: true, description: 'e.g. [CHALLENGE_FAILED, TWO_FACTOR_RESET]' })
  @IsOptional()
  @ArrayMaxSize(MAX_FILTER_ACTIONS)
  @Matches(/^[A-Z][A-Z_]{0,63}$/, { each: true, message: 'each action must be an action name such as CHALLENGE_FAILED' })
  actions?: string[] | null;

  @Field(() => ID, { nullable: true, description: 'Events whose actor or subject is this agent.' })
  agentId?: string | null;

  @Field(() => Date, { nullable: true }) since?: Date | null;
  @Field(() => Date, { nullable: true }) before?: Date | null;
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
    method: entity.method,
    clientIp: entity.clientIp,
    detail: entity.detail ?? null,
    actorAgentId: entity.actorAgentId,
    subjectAgentId: entity.subjectAgentId,
    workspaceId: entity.workspaceId,
  });
}
