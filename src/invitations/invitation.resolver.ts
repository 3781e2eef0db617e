import { IsOptional } from 'class-validator';
import { Args, ArgsType, Ctx, Field, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { Agent, toAgent } from '../accounts/account.types';
import type { SessionIdentity } from '../accounts/session-identity';
import { TenantAgent } from '../admin/admin.types';
import type { GatewayContext } from '../context';
import { assertThat, DomainError } from '../errors/domain-error';
import { CurrentSession } from '../graphql/current-session';
import { Admitted, TenantGate } from '../graphql/tenant-gate';
import { IsCode, IsEmailAddress } from '../graphql/validation';
import { ActorRateLimit } from '../rate-limits/client-rate-limit';
import { Tenant, TenantRole, toTenant } from '../tenancy/tenancy.types';
import type { MemberFacts } from '../two-factor/gate.service';
import { TenantInvitation, toTenantInvitation } from './invitation.types';

@ArgsType()
class InviteTenantMemberArgs {
  @Field(() => ID) tenantId!: string;
  @Field() @IsEmailAddress() email!: string;
  @Field(() => TenantRole) role!: TenantRole;
}

@ArgsType()
class AcceptInvitationArgs {
  @Field(() => String, { nullable: true, description: "The token of the invitation's link." })
  @IsOptional()
  @IsCode()
  token?: string | null;
  @Field(() => ID, { nullable: true, description: "Instead of the token, the id from me.invitations: only once the caller's address is verified." })
  invitationId?: string | null;
}

@ArgsType()
class RevokeInvitationArgs {
  @Field(() => ID) tenantId!: string;
  @Field(() => ID) invitationId!: string;
}

/** Inviting into a tenant, accepting and revoking; a tenant's and an agent's pending invitations. */
@Resolver(() => TenantInvitation)
export class InvitationResolver {
  @Mutation(() => TenantInvitation, { description: 'OWNER/ADMIN (rank rules apply to the role offered): e-mails an invitation; the address need not have an account.' })
  @TenantGate('admin', { tenantArg: 'tenantId' })
  @ActorRateLimit('tenant-change')
  async inviteTenantMember(
    @Args() { tenantId, email, role }: InviteTenantMemberArgs,
    @CurrentSession() session: SessionIdentity,
    @Admitted() { role: actorRole }: MemberFacts,
    @Ctx() { services }: GatewayContext,
  ): Promise<TenantInvitation> {
    return toTenantInvitation(await services.invitations.invite(session, actorRole, tenantId, email, role));
  }

  @Mutation(() => TenantAgent, { description: 'The invitee, signed in with the invited address: becomes a member with the offered role. Give the token, or the id once the address is verified.' })
  async acceptInvitation(@Args() { token, invitationId }: AcceptInvitationArgs, @CurrentSession() session: SessionIdentity, @Ctx() { services }: GatewayContext): Promise<TenantAgent> {
    assertThat(Boolean(token) !== Boolean(invitationId), 'BAD_USER_INPUT', { field: 'token' }, 'Give the token of the invitation, or its id (not both).');
    const tenantId = await services.invitations.accept(session, token ? { token } : { invitationId: invitationId! });
    const member = await services.admin.findAgent(tenantId, session.agentId);
    if (!member) throw new DomainError('NOT_FOUND');
    return member;
  }

  @Mutation(() => Boolean, { description: 'OWNER/ADMIN: a pending invitation stops working (an ADMIN revokes those offering AGENT).' })
  @TenantGate('admin', { tenantArg: 'tenantId' })
  async revokeInvitation(
    @Args() { tenantId, invitationId }: RevokeInvitationArgs,
    @CurrentSession() session: SessionIdentity,
    @Admitted() { role: actorRole }: MemberFacts,
    @Ctx() { services }: GatewayContext,
  ): Promise<boolean> {
    await services.invitations.revoke(session, actorRole, tenantId, invitationId);
    return true;
  }

  @FieldResolver(() => Tenant)
  async tenant(@Root() invitation: TenantInvitation, @Ctx() { loaders }: GatewayContext): Promise<Tenant> {
    const tenant = await loaders.tenant.load(invitation.tenantId);
    if (!tenant) throw new DomainError('NOT_FOUND');
    return toTenant(tenant);
  }

  @FieldResolver(() => Agent, { nullable: true, description: 'Who sent it; null once that agent is gone.' })
  async invitedBy(@Root() invitation: TenantInvitation, @Ctx() { loaders }: GatewayContext): Promise<Agent | null> {
    const agent = invitation.invitedByAgentId ? await loaders.agent.load(invitation.invitedByAgentId) : null;
    return agent && toAgent(agent);
  }
}

/** Tenant.invitations: the tenant's pending invitations, for its OWNERs and ADMINs. */
@Resolver(() => Tenant)
export class TenantInvitationsResolver {
  @FieldResolver(() => [TenantInvitation], { description: 'OWNER/ADMIN only: invitations not yet accepted, newest first.' })
  @TenantGate('admin', { parentTenant: true })
  async invitations(@Root() tenant: Tenant, @Ctx() { services }: GatewayContext): Promise<TenantInvitation[]> {
    return (await services.invitations.pendingOfTenant(tenant.id)).map(toTenantInvitation);
  }
}

/** Agent.invitations: the agent's own pending invitations. */
@Resolver(() => Agent)
export class AgentInvitationsResolver {
  @FieldResolver(() => [TenantInvitation], { description: "Pending invitations addressed to this agent's e-mail, newest first, once it is verified (own agent only)." })
  async invitations(@Root() agent: Agent, @CurrentSession() session: SessionIdentity, @Ctx() { services, loaders }: GatewayContext): Promise<TenantInvitation[]> {
    assertThat(session.agentId === agent.id, 'FORBIDDEN');
    const entity = await loaders.agent.load(agent.id);
    return entity ? (await services.invitations.pendingFor(entity)).map(toTenantInvitation) : [];
  }
}
