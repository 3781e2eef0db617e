import { Field, ID, ObjectType } from 'type-graphql';
import type { AgentEntity } from '../db/entities';
import type { SessionSummary } from './account.service';

/** Field resolver `twoFactor(tenantId)` lives in two-factor/agent-two-factor.resolver.ts. */
@ObjectType()
export class Agent {
  @Field(() => ID) id!: string;
  @Field() email!: string;
  @Field() name!: string;
}

@ObjectType()
export class Session {
  @Field({ description: 'Bearer token: send as `Authorization: Bearer <token>`. Shown once.' }) token!: string;
  @Field() expiresAt!: Date;
  @Field(() => Agent) agent!: Agent;
}

/** One live session of the agent, for its own session list. The id is the row id, never the token or its hash. */
@ObjectType()
export class SessionInfo {
  @Field(() => ID) id!: string;
  @Field() createdAt!: Date;
  @Field() expiresAt!: Date;
  @Field(() => Date, { nullable: true, description: 'Kept to the minute.' }) lastUsedAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'The client address at sign-in (after TRUSTED_PROXY_HOPS).' }) clientIp!: string | null;
  @Field(() => String, { nullable: true, description: 'The User-Agent at sign-in, cut to 256 characters.' }) userAgent!: string | null;
  @Field({ description: 'The session this request is made with.' }) current!: boolean;
}

export function toSessionInfo(summary: SessionSummary, currentSessionId: string): SessionInfo {
  return Object.assign(new SessionInfo(), { ...summary, current: summary.id === currentSessionId });
}

export function toAgent(entity: AgentEntity): Agent {
  return Object.assign(new Agent(), { id: entity.id, email: entity.email, name: entity.name });
}
