import { IsOptional, Max, Min } from 'class-validator';
import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { SessionIdentity } from '../accounts/session-identity';
import { AuditLogArgs, DEFAULT_PAGE_SIZE, TenantAgent, TenantAgentConnection, TenantAgentsArgs } from '../admin/admin.types';
import { AuditEventConnection } from '../audit/audit.types';
import type { GatewayContext } from '../context';
import { CurrentSession } from '../graphql/current-session';
import { Admitted, TenantGate } from '../graphql/tenant-gate';
import type { MemberFacts } from '../two-factor/gate.service';
import { IsDisplayName, IsEmailAddress, IsIssuer } from '../graphql/validation';
import { assertThat } from '../errors/domain-error';
import { ActorRateLimit } from '../rate-limits/client-rate-limit';
import { isTenantAdmin } from './roles';
import { REMEMBER_DEVICE_MAX_DAYS } from '../remembered-devices/device-expiry';
import { SECOND_FACTOR_LIFETIME_MAX_SECONDS } from '../two-factor/limits';
import { RecoveryCodeFormat, RecoveryCodeVisibility, Tenant, TenantRole, TwoFactorPolicy, Workspace, toTenant, toWorkspace } from './tenancy.types';

@ArgsType()
class CreateTenantArgs {
  @Field() @IsDisplayName() name!: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsIssuer() issuer?: string | null;
}

@ArgsType()
class AddTenantMemberArgs {
  @Field(() => ID) tenantId!: string;
  @Field() @IsEmailAddress() email!: string;
  @Field(() => TenantRole) role!: TenantRole;
}

@ArgsType()
class SetTenantIssuerArgs {
  @Field(() => ID) tenantId!: string;
  @Field() @IsIssuer() issuer!: string;
}

@ArgsType()
class SetTenantRememberDeviceDaysArgs {
  @Field(() => ID) tenantId!: string;
  @Field(() => Int) @Min(0) @Max(REMEMBER_DEVICE_MAX_DAYS) days!: number;
}

@ArgsType()
class SetTenantSecondFactorLifetimeArgs {
  @Field(() => ID) tenantId!: string;
  @Field(() => Int, { nullable: true }) @IsOptional() @Min(1) @Max(SECOND_FACTOR_LIFETIME_MAX_SECONDS) seconds?: number | null;
}

@Resolver(() => Tenant)
export class TenantResolver {
  @Query(() => [Tenant], { description: 'Tenants the caller belongs to.' })
  async tenants(@CurrentSession() session: SessionIdentity, @Ctx() { services }: GatewayContext): Promise<Tenant[]> {
    return (await services.tenancy.tenantsOf(session.agentId)).map(toTenant);
  }

  @Query(() => Tenant, { nullable: true })
  @TenantGate('member', { tenantArg: 'id' })
  async tenant(@Arg('id', () => ID) _id: string, @Admitted() { tenant }: MemberFacts): Promise<Tenant | null> {
    return toTenant(tenant); // the gate has just read the tenant with the caller's facts
  }

  @Mutation(() => Tenant, { description: "The caller becomes the tenant's OWNER." })
  @ActorRateLimit('tenant-change')
  async createTenant(@Args() { name, issuer }: CreateTenantArgs, @CurrentSession() session: SessionIdentity, @Ctx() { services }: GatewayContext): Promise<Tenant> {
    return toTenant(await services.tenancy.createTenant(session, name, issuer));
  }

  @Mutation(() => TenantAgent, { description: 'OWNER/ADMIN: adds an existing agent (by email) to the tenant.' })
  @TenantGate('admin', { tenantArg: 'tenantId' })
  @ActorRateLimit('tenant-change')
  async addTenantMember(
    @Args() { tenantId, email, role }: AddTenantMemberArgs,
    @CurrentSession() session: SessionIdentity,
    @Admitted() { role: actorRole }: MemberFacts,
    @Ctx() { services }: GatewayContext,
  ): Promise<TenantAgent> {
    const membership = await services.tenancy.addTenantMember(session, actorRole, tenantId, email, role);
    return (await services.admin.findAgent(tenantId, membership.agentId))!;
  }

  @Mutation(() => Boolean, { description: 'The caller leaves the tenant: its workspace memberships, standing and second factors there go too (LAST_OWNER for its last OWNER).' })
  @TenantGate('member', { tenantArg: 'tenantId' })
  async leaveTenant(@Arg('tenantId', () => ID) tenantId: string, @CurrentSession() session: SessionIdentity, @Ctx() { services }: GatewayContext): Promise<boolean> {
    await services.tenancy.leaveTenant(session, tenantId);
    return true;
  }

  @Mutation(() => Tenant, { description: 'Disabling while any workspace still requires 2FA fails with WORKSPACES_STILL_REQUIRE_TWO_FACTOR.' })
  @TenantGate('admin', { tenantArg: 'tenantId' })
  async setTenantTwoFactor(
    @Arg('tenantId', () => ID) tenantId: string,
    @Arg('enabled') enabled: boolean,
    @CurrentSession() session: SessionIdentity,
    @Ctx() { services }: GatewayContext,
  ): Promise<Tenant> {
    // Turning 2FA off needs step-up: judged by the service on the tenant and the caller as they are under the tenant's row lock.
    return toTenant(await services.tenancy.setTenantTwoFactor(session, tenantId, enabled));
  }

  @Mutation(() => Tenant)
  @TenantGate('admin', { tenantArg: 'tenantId' })
  async setTenantTwoFactorPolicy(
    @Arg('tenantId', () => ID) tenantId: string,
    @Arg('policy', () => TwoFactorPolicy) policy: TwoFactorPolicy,
    @CurrentSession() session: SessionIdentity,
    @Ctx() { services }: GatewayContext,
  ): Promise<Tenant> {
    // Relaxing the policy needs step-up (see setTenantTwoFactor).
    return toTenant(await services.tenancy.setTenantTwoFactorPolicy(session, tenantId, policy));
  }

  @Mutation(() => Tenant)
  @TenantGate('admin', { tenantArg: 'tenantId' })
  async setTenantRecoveryCodeFormat(
    @Arg('tenantId', () => ID) tenantId: string,
    @Arg('format', () => RecoveryCodeFormat) format: RecoveryCodeFormat,
    @CurrentSession() session: SessionIdentity,
    @Ctx() { services }: GatewayContext,
  ): Promise<Tenant> {
    return toTenant(await services.tenancy.setTenantRecoveryCodeFormat(session, tenantId, format));
  }

  @Mutation(() => Tenant, { description: 'The name authenticator apps show; used for new enrolments.' })
  @TenantGate('admin', { tenantArg: 'tenantId' })
  async setTenantIssuer(@Args() { tenantId, issuer }: SetTenantIssuerArgs, @CurrentSession() session: SessionIdentity, @Ctx() { services }: GatewayContext): Promise<Tenant> {
    return toTenant(await services.tenancy.setTenantIssuer(session, tenantId, issuer));
  }

  @Mutation(() => Tenant, { description: 'Leaving VIEWABLE deletes the encrypted copies at once.' })
  @TenantGate('admin', { tenantArg: 'tenantId' })
  async setTenantRecoveryCodeVisibility(
    @Arg('tenantId', () => ID) tenantId: string,
    @Arg('visibility', () => RecoveryCodeVisibility) visibility: RecoveryCodeVisibility,
    @Arg('replenish') replenish: boolean,
    @CurrentSession() session: SessionIdentity,
    @Ctx() { services }: GatewayContext,
  ): Promise<Tenant> {
    // Making codes VIEWABLE needs step-up: judged by the service under the tenant's row lock (see setTenantTwoFactor).
    return toTenant(await services.tenancy.setTenantRecoveryCodeVisibility(session, tenantId, visibility, replenish));
  }

  @Mutation(() => Tenant, { description: 'v3. 0 turns remembering off and forgets every remembered device of the tenant. Raising it is a weakening action (step-up).' })
  @TenantGate('admin', { tenantArg: 'tenantId' })
  async setTenantRememberDeviceDays(@Args() { tenantId, days }: SetTenantRememberDeviceDaysArgs, @CurrentSession() session: SessionIdentity, @Ctx() { services }: GatewayContext): Promise<Tenant> {
    // Raising the days needs step-up: judged by the service under the tenant's row lock (see setTenantTwoFactor).
    return toTenant(await services.tenancy.setTenantRememberDeviceDays(session, tenantId, days));
  }

  @Mutation(() => Tenant, { description: 'v3. null: a pass holds for the session\'s lifetime. Lengthening it is a weakening action (step-up).' })
  @TenantGate('admin', { tenantArg: 'tenantId' })
  async setTenantSecondFactorLifetime(
    @Args() { tenantId, seconds }: SetTenantSecondFactorLifetimeArgs,
    @CurrentSession() session: SessionIdentity,
    @Ctx() { services }: GatewayContext,
  ): Promise<Tenant> {
    // Lengthening needs step-up: judged by the service under the tenant's row lock (see setTenantTwoFactor).
    return toTenant(await services.tenancy.setTenantSecondFactorLifetime(session, tenantId, seconds ?? null));
  }

  @FieldResolver(() => TenantRole)
  async viewerRole(@Root() tenant: Tenant, @CurrentSession() _session: SessionIdentity, @Ctx() { services, loaders }: GatewayContext): Promise<TenantRole> {
    return (await services.gate.member(loaders, tenant.id)).role;
  }

  @FieldResolver(() => [Workspace])
  async workspaces(@Root() tenant: Tenant, @CurrentSession() session: SessionIdentity, @Ctx() { services, loaders }: GatewayContext): Promise<Workspace[]> {
    return (await services.tenancy.visibleWorkspaces(loaders, session, tenant.id)).map(toWorkspace);
  }

  @FieldResolver(() => TenantAgentConnection, { description: 'OWNER/ADMIN only. Cursor pagination, newest members last.' })
  @TenantGate('admin', { parentTenant: true })
  agents(@Root() tenant: Tenant, @Args() { first, after, filter }: TenantAgentsArgs, @Ctx() { services }: GatewayContext): Promise<TenantAgentConnection> {
    return services.admin.listAgents(tenant.id, first ?? DEFAULT_PAGE_SIZE, after, filter);
  }

  @FieldResolver(() => TenantAgent, { nullable: true, description: 'One member: OWNER/ADMIN, or the agent itself; null when not a member.' })
  @TenantGate('member', { parentTenant: true })
  async agent(
    @Root() tenant: Tenant,
    @Arg('id', () => ID) id: string,
    @CurrentSession() session: SessionIdentity,
    @Admitted() { role }: MemberFacts,
    @Ctx() { services }: GatewayContext,
  ): Promise<TenantAgent | null> {
    assertThat(id === session.agentId || isTenantAdmin(role), 'FORBIDDEN');
    return services.admin.findAgent(tenant.id, id);
  }

  @FieldResolver(() => AuditEventConnection, { description: 'OWNER/ADMIN only. Newest first. (v2: filter)' })
  @TenantGate('admin', { parentTenant: true })
  auditLog(@Root() tenant: Tenant, @Args() { first, after, filter }: AuditLogArgs, @Ctx() { services }: GatewayContext): Promise<AuditEventConnection> {
    return services.admin.auditLog(tenant.id, first ?? DEFAULT_PAGE_SIZE, after, filter);
  }
}
