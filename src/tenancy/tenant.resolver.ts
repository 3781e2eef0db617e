import { IsOptional } from 'class-validator';
import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { SessionIdentity } from '../accounts/account.service';
import { DEFAULT_PAGE_SIZE, PageArgs, TenantAgent, TenantAgentConnection, TenantAgentsArgs, toTenantAgent } from '../admin/admin.types';
import { AuditEventConnection } from '../audit/audit.types';
import type { GatewayContext } from '../context';
import { CurrentSession } from '../graphql/current-session';
import { TenantGate } from '../graphql/tenant-gate';
import { IsDisplayName, IsEmailAddress, IsIssuer } from '../graphql/validation';
import { ActorRateLimit } from '../rate-limits/client-rate-limit';
import { RecoveryCodeFormat, Tenant, TenantRole, TwoFactorPolicy, Workspace, toTenant, toWorkspace } from './tenancy.types';

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

@Resolver(() => Tenant)
export class TenantResolver {
  @Query(() => [Tenant], { description: 'Tenants the caller belongs to.' })
  async tenants(@CurrentSession() session: SessionIdentity, @Ctx() { services }: GatewayContext): Promise<Tenant[]> {
    return (await services.tenancy.tenantsOf(session.agentId)).map(toTenant);
  }

  @Query(() => Tenant, { nullable: true })
  @TenantGate('member', { tenantArg: 'id' })
  async tenant(@Arg('id', () => ID) id: string, @Ctx() { services, loaders }: GatewayContext): Promise<Tenant | null> {
    // The gate has just read the tenant with the caller's facts: answer from that, not a second query.
    return toTenant((await services.gate.member(loaders, id)).tenant);
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
    @Ctx() { services, loaders }: GatewayContext,
  ): Promise<TenantAgent> {
    const { role: actorRole } = await services.gate.member(loaders, tenantId);
    const membership = await services.tenancy.addTenantMember(session, actorRole, tenantId, email, role);
    return toTenantAgent(tenantId, membership.agentId, membership.role);
  }

  @Mutation(() => Tenant, { description: 'Disabling while any workspace still requires 2FA fails with WORKSPACES_STILL_REQUIRE_TWO_FACTOR.' })
  @TenantGate('admin', { tenantArg: 'tenantId' })
  async setTenantTwoFactor(
    @Arg('tenantId', () => ID) tenantId: string,
    @Arg('enabled') enabled: boolean,
    @CurrentSession() session: SessionIdentity,
    @Ctx() { services, loaders }: GatewayContext,
  ): Promise<Tenant> {
    // Turning 2FA off needs step-up: judged by the service against the tenant as it is under its row lock.
    return toTenant(await services.tenancy.setTenantTwoFactor(session, await services.gate.member(loaders, tenantId), tenantId, enabled));
  }

  @Mutation(() => Tenant)
  @TenantGate('admin', { tenantArg: 'tenantId' })
  async setTenantTwoFactorPolicy(
    @Arg('tenantId', () => ID) tenantId: string,
    @Arg('policy', () => TwoFactorPolicy) policy: TwoFactorPolicy,
    @CurrentSession() session: SessionIdentity,
    @Ctx() { services, loaders }: GatewayContext,
  ): Promise<Tenant> {
    // Relaxing the policy needs step-up (see setTenantTwoFactor).
    return toTenant(await services.tenancy.setTenantTwoFactorPolicy(session, await services.gate.member(loaders, tenantId), tenantId, policy));
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

  @FieldResolver(() => TenantRole)
  async viewerRole(@Root() tenant: Tenant, @CurrentSession() _session: SessionIdentity, @Ctx() { services, loaders }: GatewayContext): Promise<TenantRole> {
    return (await services.gate.member(loaders, tenant.id)).role as TenantRole;
  }

  @FieldResolver(() => [Workspace])
  async workspaces(@Root() tenant: Tenant, @CurrentSession() session: SessionIdentity, @Ctx() { services, loaders }: GatewayContext): Promise<Workspace[]> {
    return (await services.tenancy.visibleWorkspaces(loaders, session, tenant.id)).map(toWorkspace);
  }

  @FieldResolver(() => TenantAgentConnection, { description: 'OWNER/ADMIN only. Cursor pagination, newest members last.' })
  @TenantGate('admin', { parentTenant: true })
  agents(@Root() tenant: Tenant, @Args() { first, after, filter }: TenantAgentsArgs, @Ctx() { services, loaders }: GatewayContext): Promise<TenantAgentConnection> {
    return services.admin.listAgents(loaders, tenant.id, first ?? DEFAULT_PAGE_SIZE, after, filter);
  }

  @FieldResolver(() => AuditEventConnection, { description: 'OWNER/ADMIN only. Newest first.' })
  @TenantGate('admin', { parentTenant: true })
  auditLog(@Root() tenant: Tenant, @Args() { first, after }: PageArgs, @Ctx() { services }: GatewayContext): Promise<AuditEventConnection> {
    return services.admin.auditLog(tenant.id, first ?? DEFAULT_PAGE_SIZE, after);
  }
}
