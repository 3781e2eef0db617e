import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Agent, toAgent } from '../accounts/account.types';
import type { GatewayContext } from '../context';
import { Workspace, toWorkspace } from '../tenancy/tenancy.types';
import { AuditEvent } from './audit.types';

@Resolver(() => AuditEvent)
export class AuditResolver {
  @FieldResolver(() => Agent, { nullable: true })
  async actor(@Root() event: AuditEvent, @Ctx() { loaders }: GatewayContext): Promise<Agent | null> {
    const agent = event.actorAgentId ? await loaders.agent.load(event.actorAgentId) : null;
    return agent && toAgent(agent);
  }

  @FieldResolver(() => Agent, { nullable: true })
  async subject(@Root() event: AuditEvent, @Ctx() { loaders }: GatewayContext): Promise<Agent | null> {
    const agent = event.subjectAgentId ? await loaders.agent.load(event.subjectAgentId) : null;
    return agent && toAgent(agent);
  }

  @FieldResolver(() => Workspace, { nullable: true })
  async workspace(@Root() event: AuditEvent, @Ctx() { loaders }: GatewayContext): Promise<Workspace | null> {
    const workspace = event.workspaceId ? await loaders.workspace.load(event.workspaceId) : null;
    return workspace && toWorkspace(workspace);
  }
}
