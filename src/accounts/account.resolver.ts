import { IsOptional } from 'class-validator';
import { Args, ArgsType, Ctx, Field, Mutation, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from '../context';
import { CurrentSession } from '../graphql/current-session';
import { IsCode, IsDisplayName, IsEmailAddress, IsNewPassword, IsPassword } from '../graphql/validation';
import type { SessionCookieJar } from '../http/session-cookie';
import { ClientRateLimit } from '../rate-limits/client-rate-limit';
import type { IssuedSession, SignInOrigin } from './account.service';
import type { SessionIdentity } from './session-identity';
import { Agent, Session, SignUpMode, toAgent, toSignUpMode } from './account.types';

@ArgsType()
class SignUpArgs {
  @Field() @IsEmailAddress() email!: string;
  @Field() @IsNewPassword() password!: string;
  @Field() @IsDisplayName() name!: string;
  @Field(() => String, { nullable: true, description: 'Needed when signUpMode is INVITATION_ONLY; accepting it verifies the e-mail.' })
  @IsOptional()
  @IsCode()
  invitationToken?: string | null;
}

@ArgsType()
class SignInArgs {
  @Field() @IsEmailAddress() email!: string;
  @Field() @IsPassword() password!: string;
}

@ArgsType()
class ChangePasswordArgs {
  @Field() @IsPassword() currentPassword!: string;
  @Field() @IsNewPassword() newPassword!: string;
}

@ArgsType()
class RequestPasswordResetArgs {
  @Field() @IsEmailAddress() email!: string;
}

@ArgsType()
class ResetPasswordArgs {
  @Field() @IsCode() token!: string;
  @Field() @IsNewPassword() newPassword!: string;
}

@ArgsType()
class VerifyEmailArgs {
  @Field() @IsCode() token!: string;
}

@Resolver()
export class AccountResolver {
  @Query(() => Agent, { nullable: true, description: 'The signed-in agent, or null without a session.' })
  async me(@Ctx() { session, loaders }: GatewayContext): Promise<Agent | null> {
    if (!session) return null;
    const agent = await loaders.agent.load(session.agentId);
    return agent && toAgent(agent);
  }

  @Query(() => SignUpMode, { description: "The gateway's sign-up mode." })
  signUpMode(@Ctx() { services }: GatewayContext): SignUpMode {
    return toSignUpMode(services.signUp.mode);
  }

  @Mutation(() => Session, { description: 'SIGN_UP_CLOSED when the gateway does not allow it (see signUpMode).' })
  @ClientRateLimit('sign-in')
  async signUp(@Args() { email, password, name, invitationToken }: SignUpArgs, @Ctx() context: GatewayContext): Promise<Session> {
    return toSession(await context.services.signUp.signUp({ email, password, name }, invitationToken, originOf(context)), context.sessionCookie);
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

  @Mutation(() => Boolean, { description: 'Re-checks the current password (re-authentication rules), ends every other session, and e-mails a notice.' })
  async changePassword(@Args() { currentPassword, newPassword }: ChangePasswordArgs, @CurrentSession() session: SessionIdentity, @Ctx() context: GatewayContext): Promise<boolean> {
    await context.services.passwords.change(session, context.loaders, currentPassword, newPassword, originOf(context));
    return true;
  }

  @Mutation(() => Boolean, { description: 'Always true (never says whether the address has an account); e-mails a single-use link when it does.' })
  async requestPasswordReset(@Args() { email }: RequestPasswordResetArgs, @Ctx() { services, clientIp }: GatewayContext): Promise<boolean> {
    await services.passwords.requestReset(email, clientIp);
    return true;
  }

  @Mutation(() => Session, { description: 'Ends every session of the agent and signs in anew; second factors are untouched, so tenant challenges still apply.' })
  @ClientRateLimit('sign-in')
  async resetPassword(@Args() { token, newPassword }: ResetPasswordArgs, @Ctx() context: GatewayContext): Promise<Session> {
    return toSession(await context.services.passwords.reset(token, newPassword, originOf(context)), context.sessionCookie);
  }

  @Mutation(() => Boolean, { description: "Sends a fresh verification link to the caller's own address (none once it is verified)." })
  async sendVerificationEmail(@CurrentSession() session: SessionIdentity, @Ctx() { services }: GatewayContext): Promise<boolean> {
    await services.emailVerification.send(session);
    return true;
  }

  @Mutation(() => Agent, { description: 'Follows a verification link: no session needed.' })
  async verifyEmail(@Args() { token }: VerifyEmailArgs, @Ctx() { services }: GatewayContext): Promise<Agent> {
    return toAgent(await services.emailVerification.verify(token));
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
