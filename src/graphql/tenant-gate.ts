import { createParameterDecorator, MiddlewareFn, ResolverData, UseMiddleware } from 'type-graphql';
import { GatewayContext, requireSession } from '../context';
import { assertThat } from '../errors/domain-error';
import type { Clearance, MemberFacts } from '../two-factor/gate.service';

/** Where an operation's tenant comes from: an argument naming the tenant or one of its workspaces, or the parent. */
export type TenantLocator =
  | { tenantArg: string }
  | { workspaceArg: string }
  | { parentTenant: true };

/**
 * Puts a resolver behind the gate: signed in, member of the tenant, second factor passed where the tenant
 * needs it, (for 'admin') OWNER or ADMIN, (for 'admin-step-up', an action that weakens 2FA) this tenant's
 * second factor passed by a challenge in this session within the privileged max age whatever the policy, and
 * (for 'privileged') that recent pass where the tenant's second factor stands behind the caller. Resolvers opt
 * in here; none re-derives the rule.
 */
export function TenantGate(clearance: Clearance, locate: TenantLocator) {
  const gate: MiddlewareFn<GatewayContext> = async (action, next) => {
    const { args, root, context } = action;
    requireSession(context);
    const tenantId = await locateTenant(locate, args, root, context);
    admitted.set(action, await context.services.gate.admit(context.loaders, tenantId, clearance));
    return next();
  };
  return UseMiddleware(gate);
}

/**
 * The facts @TenantGate admitted the caller on (tenant, role, authenticator, standing), for the resolver it
 * guards. Only the gate puts facts here, so a resolver without @TenantGate has none to read: it fails loudly.
 */
export function Admitted() {
  // Async, so even a misuse rejects rather than throws (see CurrentSession: a throw here would end the process).
  return createParameterDecorator<GatewayContext>(async (action): Promise<MemberFacts> => {
    const facts = admitted.get(action);
    if (!facts) throw new Error('@Admitted() needs @TenantGate on the same resolver');
    return facts;
  });
}

/** Facts per resolver call: type-graphql hands the gate (a middleware) and the parameters the same object. */
const admitted = new WeakMap<ResolverData<GatewayContext>, MemberFacts>();

async function locateTenant(
  locate: TenantLocator,
  args: Record<string, unknown>,
  root: { id?: string } | undefined,
  context: GatewayContext,
): Promise<string> {
  if ('tenantArg' in locate) return String(args[locate.tenantArg]);
  if ('parentTenant' in locate) return String(root?.id);
  const workspace = await context.loaders.workspace.load(String(args[locate.workspaceArg]));
  assertThat(workspace, 'NOT_FOUND');
  return workspace.tenantId;
}
