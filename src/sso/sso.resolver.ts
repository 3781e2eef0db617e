import DataLoader from 'dataloader';
import { IsOptional, ValidateBy } from 'class-validator';
import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { SessionIdentity } from '../accounts/session-identity';
import type { GatewayContext } from '../context';
import { CurrentSession } from '../graphql/current-session';
import { TenantGate } from '../graphql/tenant-gate';
import { IsEmailAddress } from '../graphql/validation';
import { ClientRateLimit } from '../rate-limits/client-rate-limit';
import { Tenant, toTenant } from '../tenancy/tenancy.types';
import type { IdentityProviderSettings } from './identity-provider-store';
import { IdentityProvider, IdentityProviderInput, SsoStart, toIdentityProvider } from './sso.types';
import { consolePath } from './sso-rules';

@ArgsType()
class SsoProviderForArgs {
  @Field() @IsEmailAddress() email!: string;
}

@ArgsType()
class BeginSsoSignInArgs {
  @Field(() => ID) tenantId!: string;
  @Field(() => String, { nullable: true, description: 'A path of the console (default /).' })
  @IsOptional()
  @ValidateBy({
    name: 'isConsolePath',
    validator: { validate: (value) => typeof value === 'string' && consolePath(value) !== null, defaultMessage: () => 'returnTo must be a path of the console, such as /workspaces' },
  })
  returnTo?: string | null;
}

/** Per request: Tenant.identityProvider for every tenant of a list in one pair of statements. */
const providerLoaders = new WeakMap<object, DataLoader<string, IdentityProviderSettings | null>>();

@Resolver(() => Tenant)
export class SsoResolver {
  @Query(() => Tenant, { nullable: true, description: "The tenant whose identity provider serves this e-mail's domain, if any (no session needed; reveals nothing about accounts)." })
  async ssoProviderFor(@Args() { email }: SsoProviderForArgs, @Ctx() { services }: GatewayContext): Promise<Tenant | null> {
    const tenant = await services.identityProviders.tenantForEmail(email);
    return tenant && toTenant(tenant);
  }

  @Mutation(() => SsoStart, {
    description: "Starts an OpenID Connect sign-in with the tenant's provider; the provider sends the browser back to /sso/callback, which signs in and returns to returnTo (a path of the console).",
  })
  @ClientRateLimit('sign-in')
  async beginSsoSignIn(@Args() { tenantId, returnTo }: BeginSsoSignInArgs, @Ctx() { services, ssoState }: GatewayContext): Promise<SsoStart> {
    const start = await services.ssoSignIn.begin(tenantId, returnTo);
    ssoState.set(start.state, start.expiresAt);
    return Object.assign(new SsoStart(), { tenant: toTenant(start.tenant), authorizationUrl: start.authorizationUrl, expiresAt: start.expiresAt });
  }

  @Mutation(() => Tenant, { description: 'OWNER only, with step-up (a recent pass of the tenant\'s challenge: TWO_FACTOR_REQUIRED with maxAgeSeconds otherwise).' })
  @TenantGate('member', { tenantArg: 'tenantId' })
  async setTenantIdentityProvider(
    @Arg('tenantId', () => ID) tenantId: string,
    @Arg('provider', () => IdentityProviderInput) provider: IdentityProviderInput,
    @CurrentSession() session: SessionIdentity,
    @Ctx() { services }: GatewayContext,
  ): Promise<Tenant> {
    return toTenant(await services.identityProviders.set(session, tenantId, provider));
  }

  @Mutation(() => Tenant, { description: 'OWNER only, with step-up. Its links to agents go too; password sign-in is no longer refused for its domains.' })
  @TenantGate('member', { tenantArg: 'tenantId' })
  async removeTenantIdentityProvider(@Arg('tenantId', () => ID) tenantId: string, @CurrentSession() session: SessionIdentity, @Ctx() { services }: GatewayContext): Promise<Tenant> {
    return toTenant(await services.identityProviders.remove(session, tenantId));
  }

  @FieldResolver(() => IdentityProvider, { nullable: true, description: 'OWNER/ADMIN only.' })
  @TenantGate('admin', { parentTenant: true })
  async identityProvider(@Root() tenant: Tenant, @Ctx() { services, loaders }: GatewayContext): Promise<IdentityProvider | null> {
    let loader = providerLoaders.get(loaders);
    if (!loader) {
      loader = new DataLoader(async (tenantIds: readonly string[]) => {
        const settings = await services.identityProviders.settingsOf(tenantIds);
        return tenantIds.map((id) => settings.get(id) ?? null);
      });
      providerLoaders.set(loaders, loader);
    }
    const settings = await loader.load(tenant.id);
    return settings && toIdentityProvider(settings);
  }
}
