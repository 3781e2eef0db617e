import { Args, ArgsType, Ctx, Field, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { SessionIdentity } from '../accounts/session-identity';
import type { GatewayContext } from '../context';
import { CurrentSession } from '../graphql/current-session';
import { Access } from '../two-factor/two-factor.types';
import { AccessToken, toAccessToken } from './access-token.types';

@ArgsType()
class MintAccessTokenArgs {
  @Field(() => ID) tenantId!: string;
  @Field(() => ID, { nullable: true }) workspaceId?: string | null;
  @Field(() => String, { nullable: true }) audience?: string | null;
}

/** Access tokens for the services behind the gateway: minted on request, and with every GRANTED access. */
@Resolver(() => Access)
export class AccessTokenResolver {
  @Mutation(() => AccessToken, {
    description:
      'A token for a tenant (and one of its workspaces) the session holds: the same gate as enterTenant/enterWorkspace, never a new challenge (TWO_FACTOR_REQUIRED instead).',
  })
  async mintAccessToken(@Args() { tenantId, workspaceId, audience }: MintAccessTokenArgs, @CurrentSession() session: SessionIdentity, @Ctx() { services, loaders }: GatewayContext): Promise<AccessToken> {
    return toAccessToken(await services.accessTokens.mint(session, loaders, tenantId, workspaceId, audience));
  }

  // Minted only when selected: signing costs a statement and a signature that most enters do not need.
  @FieldResolver(() => AccessToken, { nullable: true, description: 'v3. Set when status is GRANTED: an access token for this tenant (and workspace), as mintAccessToken would give.' })
  async accessToken(@Root() access: Access, @CurrentSession() session: SessionIdentity, @Ctx() { services, loaders }: GatewayContext): Promise<AccessToken | null> {
    if (access.status !== 'GRANTED') return null;
    return toAccessToken(await services.accessTokens.mint(session, loaders, access.tenant.id, access.workspace?.id));
  }
}
