import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import { Agent } from '../accounts/account.types';
import type { SessionIdentity } from '../accounts/session-identity';
import { GatewayContext, requireSession } from '../context';
import { DomainError } from '../errors/domain-error';
import { CurrentSession } from '../graphql/current-session';
import { RememberedDevice, toRememberedDevice } from './remembered-device.types';

/**
 * The caller's own remembered devices in a tenant: listed and forgotten by their agent only. Open without the
 * tenant's second factor, as sign-out is: forgetting a device only ever asks more of the next sign-in.
 */
@Resolver(() => Agent)
export class RememberedDeviceResolver {
  @FieldResolver(() => [RememberedDevice], { description: 'v3. Devices remembered for this tenant (own agent only).' })
  async rememberedDevices(@Root() agent: Agent, @Arg('tenantId', () => ID) tenantId: string, @Ctx() { services, loaders, session, deviceTokens }: GatewayContext): Promise<RememberedDevice[]> {
    const caller = requireSession({ session });
    if (caller.agentId !== agent.id) throw new DomainError('FORBIDDEN');
    const { tenant } = await services.gate.member(loaders, tenantId);
    return (await services.rememberedDevices.list(caller, tenant, deviceTokens.presented(tenantId))).map(toRememberedDevice);
  }

  @Mutation(() => Boolean, { description: 'v3' })
  async forgetRememberedDevice(
    @Arg('tenantId', () => ID) tenantId: string,
    @Arg('deviceId', () => ID) deviceId: string,
    @CurrentSession() session: SessionIdentity,
    @Ctx() { services, loaders, deviceTokens }: GatewayContext,
  ): Promise<boolean> {
    await services.gate.member(loaders, tenantId);
    const wasCurrent = await services.rememberedDevices.forget(session, tenantId, deviceId, deviceTokens.presented(tenantId));
    if (wasCurrent) deviceTokens.clear(tenantId);
    return true;
  }

  @Mutation(() => Int, { description: 'v3. Forgets every remembered device of the caller in the tenant; returns how many.' })
  async forgetRememberedDevices(@Arg('tenantId', () => ID) tenantId: string, @CurrentSession() session: SessionIdentity, @Ctx() { services, loaders, deviceTokens }: GatewayContext): Promise<number> {
    await services.gate.member(loaders, tenantId);
    const forgotten = await services.rememberedDevices.forgetAll(session, tenantId);
    if (deviceTokens.presented(tenantId).length) deviceTokens.clear(tenantId);
    return forgotten;
  }
}
