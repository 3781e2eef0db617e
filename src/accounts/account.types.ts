import { Field, ID, ObjectType } from 'type-graphql';
import type { AgentEntity } from '../db/entities';

/** Field resolver `twoFactor(tenantId)` lives in two-factor/two-factor-status.resolver.ts. */
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

export function toAgent(entity: AgentEntity): Agent {
  return Object.assign(new Agent(), { id: entity.id, email: entity.email, name: entity.name });
}
