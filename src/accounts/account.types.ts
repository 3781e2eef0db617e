import { Field, ID, ObjectType } from 'type-graphql';
import { SIGN_UP_MODES, SignUpSetting } from '../config';
import type { AgentEntity } from '../db/entities';
import { graphqlEnum } from '../graphql/enums';
import type { SessionSummary } from './account.service';

const SIGN_UP_MODE_NAMES = ['OPEN', 'INVITATION_ONLY', 'CLOSED'] as const;
export type SignUpMode = (typeof SIGN_UP_MODE_NAMES)[number];
export const SignUpMode = graphqlEnum(SIGN_UP_MODE_NAMES, {
  name: 'SignUpMode',
  description: "Who may create an account with signUp (the gateway's SIGN_UP setting, default OPEN in development).",
  valuesConfig: {
    OPEN: { description: 'Anyone may sign up.' },
    INVITATION_ONLY: { description: "Only with an invitation's token (the default in production)." },
    CLOSED: { description: 'No sign-up; accounts are made with `npm run create-owner`.' },
  },
});

/** The SIGN_UP setting (open, invitation-only, closed) as the enum reports it. */
export function toSignUpMode(setting: SignUpSetting): SignUpMode {
  return SIGN_UP_MODE_NAMES[SIGN_UP_MODES.indexOf(setting)];
}

/**
 * Field resolvers: `twoFactor(tenantId)` in two-factor/agent-two-factor.resolver.ts, `sessions` in
 * session.resolver.ts, `invitations` in invitations/invitation.resolver.ts. Its own fields hold plain values: they
 * resolve as properties, without type-graphql's per-field wrapper.
 */
@ObjectType({ simpleResolvers: true })
export class Agent {
  @Field(() => ID) id!: string;
  @Field() email!: string;
  @Field() name!: string;
  @Field({ description: 'True once the agent followed the link of a verification e-mail (or of an invitation or a password reset).' })
  emailVerified!: boolean;
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
  @Field(() => String, { nullable: true, description: 'v3. The name a device sign-in gave (e.g. "tenant-2fa on build-01"); null for browser and password sign-ins.' })
  clientName!: string | null;
  @Field({ description: 'The session this request is made with.' }) current!: boolean;
}

export function toSessionInfo(summary: SessionSummary, currentSessionId: string): SessionInfo {
  return Object.assign(new SessionInfo(), { ...summary, current: summary.id === currentSessionId });
}

export function toAgent(entity: AgentEntity): Agent {
  return Object.assign(new Agent(), { id: entity.id, email: entity.email, name: entity.name, emailVerified: Boolean(entity.emailVerifiedAt) });
}
