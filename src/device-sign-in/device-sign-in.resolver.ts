import { IsOptional } from 'class-validator';
import { Args, ArgsType, Ctx, Field, ID, Mutation, Query, Resolver } from 'type-graphql';
import { Session, toAgent } from '../accounts/account.types';
import type { SessionIdentity } from '../accounts/session-identity';
import type { GatewayContext } from '../context';
import { CurrentSession } from '../graphql/current-session';
import { IsCode, IsDisplayName } from '../graphql/validation';
import { ClientRateLimit } from '../rate-limits/client-rate-limit';
import { DeviceSignIn, DeviceSignInRequest, toDeviceSignIn, toDeviceSignInRequest } from './device-sign-in.types';

@ArgsType()
class BeginDeviceSignInArgs {
  @Field({ description: 'Shown to the approving browser and in the session list, e.g. "tenant-2fa on build-01".' }) @IsDisplayName() clientName!: string;
  @Field(() => ID, { nullable: true, description: "The new session should also hold that tenant's second factor." }) @IsOptional() tenantId?: string | null;
}

@ArgsType()
class PollDeviceSignInArgs {
  @Field() @IsCode() deviceCode!: string;
}

@ArgsType()
class UserCodeArgs {
  @Field() @IsCode() userCode!: string;
}

/**
 * Device sign-in: the device begins and polls without a session; a signed-in browser session looks the request up
 * by its user code and approves or denies it. The device's session is not set as a cookie: the device is no browser.
 */
@Resolver()
export class DeviceSignInResolver {
  @Query(() => DeviceSignInRequest, { nullable: true, description: 'v3. A pending device sign-in, by the code its terminal shows (signed-in browser session only).' })
  async deviceSignInRequest(@Args() { userCode }: UserCodeArgs, @CurrentSession() session: SessionIdentity, @Ctx() { services, loaders }: GatewayContext): Promise<DeviceSignInRequest | null> {
    const view = await services.deviceSignIn.view(session, loaders, userCode);
    return view && toDeviceSignInRequest(view);
  }

  @Mutation(() => DeviceSignIn, { description: "No session needed. tenantId: the new session should also hold that tenant's second factor." })
  @ClientRateLimit('sign-in')
  async beginDeviceSignIn(@Args() { clientName, tenantId }: BeginDeviceSignInArgs, @Ctx() { services, clientIp, userAgent }: GatewayContext): Promise<DeviceSignIn> {
    return toDeviceSignIn(await services.deviceSignIn.begin(clientName, tenantId ?? null, { clientIp, userAgent }));
  }

  @Mutation(() => Session, { description: 'No session needed: the session once approved; AUTHORIZATION_PENDING, SLOW_DOWN, ACCESS_DENIED or INVALID_TOKEN (expired, used) until then.' })
  async pollDeviceSignIn(@Args() { deviceCode }: PollDeviceSignInArgs, @Ctx() { services, clientIp, userAgent }: GatewayContext): Promise<Session> {
    const issued = await services.deviceSignIn.poll(deviceCode, { clientIp, userAgent });
    return { token: issued.token, expiresAt: issued.expiresAt, agent: toAgent(issued.agent) };
  }

  @Mutation(() => Boolean, {
    description: "A signed-in browser session of the agent approves; where a tenant was asked for, the approving session must hold that tenant's second factor (TWO_FACTOR_REQUIRED otherwise).",
  })
  async approveDeviceSignIn(@Args() { userCode }: UserCodeArgs, @CurrentSession() session: SessionIdentity, @Ctx() { services, loaders }: GatewayContext): Promise<boolean> {
    await services.deviceSignIn.approve(session, loaders, userCode);
    return true;
  }

  @Mutation(() => Boolean)
  async denyDeviceSignIn(@Args() { userCode }: UserCodeArgs, @CurrentSession() session: SessionIdentity, @Ctx() { services, loaders }: GatewayContext): Promise<boolean> {
    await services.deviceSignIn.deny(session, loaders, userCode);
    return true;
  }
}
