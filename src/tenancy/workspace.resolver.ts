import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { SessionIdentity } from '../accounts/session-identity';
import type { GatewayContext } from '../context';
import { CurrentSession } from '../graphql/current-session';
import { TenantGate } from '../graphql/tenant-gate';
import { IsDisplayName } from '../graphql/validation';
import { Tenant, Workspace, toTenant, toWorkspace } from './tenancy.types';

@ArgsType()
class CreateWorkspaceArgs {
  @Field(() => ID) tenantId!: string;
  @Field() @IsDisplayName() name!: string;
}

@Resolver(() => Workspace)
export class WorkspaceResolver {
  @Query(() => Workspace, { nullable: true })
  @TenantGate('member', { workspaceArg: 'id' })
  async workspace(@Arg('id', () => ID) id: string, @CurrentSession() session: SessionIdentity, @Ctx() { services, loaders }: GatewayContext): Promise<Workspace> {
    return toWorkspace(await services.tenancy.visibleWorkspace(loaders, session, id));
  }

  @Mutation(() => Workspace)
  @TenantGate('admin', { tenantArg: 'tenantId' })
  async createWorkspace(@Args() { tenantId, name }: CreateWorkspaceArgs, @Ctx() { services }: GatewayContext): Promise<Workspace> {
    return toWorkspace(await services.tenancy.createWorkspace(tenantId, name));
  }

  @Mutation(() => Workspace, { description: 'OWNER/ADMIN: adds a tenant member to one workspace.' })
  @TenantGate('admin', { workspaceArg: 'workspaceId' })
  async addWorkspaceMember(
    @Arg('workspaceId', () => ID) workspaceId: string,
    @Arg('agentId', () => ID) agentId: string,
    @CurrentSession() session: SessionIdentity,
    @Ctx() { services, loaders }: GatewayContext,
  ): Promise<Workspace> {
    const workspace = (await loaders.workspace.load(workspaceId))!;
    await services.tenancy.addWorkspaceMember(session, workspace, agentId);
    return toWorkspace(workspace);
  }

  @Mutation(() => Workspace, { description: 'Requiring 2FA while the tenant has it off fails with TENANT_TWO_FACTOR_DISABLED.' })
  @TenantGate('admin', { workspaceArg: 'workspaceId' })
  async setWorkspaceTwoFactor(
    @Arg('workspaceId', () => ID) workspaceId: string,
    @Arg('required') required: boolean,
    @CurrentSession() session: SessionIdentity,
    @Ctx() { services, loaders }: GatewayContext,
  ): Promise<Workspace> {
    const workspace = (await loaders.workspace.load(workspaceId))!;
    // No longer requiring 2FA needs step-up: judged by the service under the tenant's row lock.
    return toWorkspace(await services.tenancy.setWorkspaceTwoFactor(session, workspace, required));
  }

  @FieldResolver(() => Tenant)
  async tenant(@Root() workspace: Workspace, @Ctx() { loaders }: GatewayContext): Promise<Tenant> {
    return toTenant((await loaders.tenant.load(workspace.tenantId))!);
  }
}
