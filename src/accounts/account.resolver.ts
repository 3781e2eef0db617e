import { Args, ArgsType, Ctx, Field, Mutation, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from '../context';
import { CurrentSession } from '../graphql/current-session';
import { IsDisplayName, IsEmailAddress, IsNewPassword, IsPassword } from '../graphql/validation';
import type { SessionIdentity } from './account.service';
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
  async signUp(@Args() { email, password, name }: SignUpArgs, @Ctx() { services }: GatewayContext): Promise<Session> {
    const issued = await services.accounts.signUp(email, password, name);
    return { ...issued, agent: toAgent(issued.agent) };
  }

  @Mutation(() => Session)
  async signIn(@Args() { email, password }: SignInArgs, @Ctx() { services }: GatewayContext): Promise<Session> {
    const issued = await services.accounts.signIn(email, password);
    return { ...issued, agent: toAgent(issued.agent) };
  }

  @Mutation(() => Boolean)
  signOut(@CurrentSession() session: SessionIdentity, @Ctx() { services }: GatewayContext): Promise<boolean> {
    return services.accounts.signOut(session);
  }
}
