import { Args, ArgsType, Ctx, Field, Mutation, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from '../context';
import { CurrentSession } from '../graphql/current-session';
import { IsDisplayName, IsEmailAddress, IsNewPassword, IsPassword } from '../graphql/validation';
import type { SessionCookieJar } from '../http/session-cookie';
import { ClientRateLimit } from '../rate-limits/client-rate-limit';
import type { IssuedSession, SignInOrigin } from './account.service';
import type { SessionIdentity } from './session-identity';
import { Agent, Session, toAgent } from './account.types';

@ArgsType()
class SignUpArgs {
  @Field() @IsEmailAddress() email!: string;
  @Field() @IsNewPassword() password!: string;
  @Field() @IsDisplayName() name!: string;
}

@ArgsType()
class SignInArgs {
  @Field() @IsEmailAddress() email!: string;
  @Field() @IsPassword() password!: string;
}

@Resolver()
export class AccountResolver {
  @Query(() => Agent, { nullable: true, description: 'The signed-in agent, or null without a session.' })
  async me(@Ctx() { session, loaders }: GatewayContext): Promise<Agent | null> {
    if (!session) return null;
    const agent = await loaders.agent.load(session.agentId);
    return agent && toAgent(agent);
  }

  @Mutation(() => Session)
  @ClientRateLimit('sign-in')
  async signUp(@Args() { email, password, name }: SignUpArgs, @Ctx() context: GatewayContext): Promise<Session> {
    return toSession(await context.services.accounts.signUp(email, password, name, originOf(context)), context.sessionCookie);
  }

  @Mutation(() => Session)
  @ClientRateLimit('sign-in')
  async signIn(@Args() { email, password }: SignInArgs, @Ctx() context: GatewayContext): Promise<Session> {
    return toSession(await context.services.accounts.signIn(email, password, originOf(context)), context.sessionCookie);
  }

  @Mutation(() => Boolean)
  async signOut(@CurrentSession() session: SessionIdentity, @Ctx() { services, sessionCookie }: GatewayContext): Promise<boolean> {
    sessionCookie.clear();
    return services.accounts.signOut(session);
  }
}

/** The token goes back in the answer (integrators) and in an HttpOnly cookie (browsers). */
function toSession(issued: IssuedSession, cookie: SessionCookieJar): Session {
  cookie.set(issued.token, issued.expiresAt);
  return { token: issued.token, expiresAt: issued.expiresAt, agent: toAgent(issued.agent) };
}

function originOf({ clientIp, userAgent }: GatewayContext): SignInOrigin {
  return { clientIp, userAgent };
}
