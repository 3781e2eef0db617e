import { IsOptional, Min } from 'class-validator';
import { Args, ArgsType, Arg, Ctx, Field, ID, Int, Mutation, Resolver } from 'type-graphql';
import type { SessionIdentity } from '../accounts/session-identity';
import type { GatewayContext } from '../context';
import { CurrentSession } from '../graphql/current-session';
import { Admitted, TenantGate } from '../graphql/tenant-gate';
import type { MemberFacts } from './gate.service';
import { ClientRateLimit } from '../rate-limits/client-rate-limit';
import { IsCode, IsPassword } from '../graphql/validation';
import { toTenant, toWorkspace } from '../tenancy/tenancy.types';
import type { TwoFactorMethodName } from './authenticator-state';
import type { AccessView } from './entry.service';
import { Access, RecoveryCodes, TotpEnrolment, TwoFactorChallenge, TwoFactorStatus } from './two-factor.types';

/** A pass at most this old (0: always a fresh challenge), as OpenID Connect's max_age asks of a sign-in. */
const MaxAgeSeconds = () => (target: object, key: string) => {
  Field(() => Int, { nullable: true })(target, key);
  IsOptional()(target, key);
  Min(0)(target, key);
};

@ArgsType()
class EnterTenantArgs {
  @Field(() => ID) tenantId!: string;
  @MaxAgeSeconds() maxAgeSeconds?: number | null;
}

@ArgsType()
class EnterWorkspaceArgs {
  @Field(() => ID) workspaceId!: string;
  @MaxAgeSeconds() maxAgeSeconds?: number | null;
}

@ArgsType()
class ChallengeAnswerArgs {
  @Field(() => ID) challengeId!: string;
  @Field() @IsCode() code!: string;
  @Field({ nullable: true, defaultValue: false }) rememberDevice!: boolean;
}

@ArgsType()
class TenantPasswordArgs {
  @Field(() => ID) tenantId!: string;
  @Field() @IsPassword() password!: string;
}

@ArgsType()
class TenantCodeArgs {
  @Field(() => ID) tenantId!: string;
  @Field() @IsCode() code!: string;
}

/** Entering tenants and workspaces, answering their challenges, and an agent's own enrolment. */
@Resolver()
export class TwoFactorResolver {
  @Mutation(() => Access, {
    description:
      'For tenant-level work (admin consoles): GRANTED, or what the session must do first. v3: maxAgeSeconds asks for a pass at most that old (a fresh challenge otherwise, even with standing).',
  })
  async enterTenant(@Args() { tenantId, maxAgeSeconds }: EnterTenantArgs, @CurrentSession() session: SessionIdentity, @Ctx() { services, loaders, deviceTokens }: GatewayContext): Promise<Access> {
    return toAccess(await services.entry.enterTenant(session, loaders, tenantId, { maxAgeSeconds, presentedDevices: deviceTokens.presented }));
  }

  @Mutation(() => Access, { description: 'Workspace switch: GRANTED, or what the session must do first. v3: maxAgeSeconds as for enterTenant.' })
  async enterWorkspace(
    @Args() { workspaceId, maxAgeSeconds }: EnterWorkspaceArgs,
    @CurrentSession() session: SessionIdentity,
    @Ctx() { services, loaders, deviceTokens }: GatewayContext,
  ): Promise<Access> {
    return toAccess(await services.entry.enterWorkspace(session, loaders, workspaceId, { maxAgeSeconds, presentedDevices: deviceTokens.presented }));
  }

  @Mutation(() => Access, { description: 'v3: rememberDevice (where the tenant allows it).' })
  @ClientRateLimit('answer')
  async verifyTwoFactor(@Args() { challengeId, code, rememberDevice }: ChallengeAnswerArgs, @CurrentSession() session: SessionIdentity, @Ctx() context: GatewayContext): Promise<Access> {
    return answerChallenge(context, session, challengeId, 'TOTP', code, rememberDevice);
  }

  @Mutation(() => Access, { description: 'v3: rememberDevice (where the tenant allows it).' })
  @ClientRateLimit('answer')
  async useRecoveryCode(@Args() { challengeId, code, rememberDevice }: ChallengeAnswerArgs, @CurrentSession() session: SessionIdentity, @Ctx() context: GatewayContext): Promise<Access> {
    return answerChallenge(context, session, challengeId, 'RECOVERY_CODE', code, rememberDevice);
  }

  @Mutation(() => Boolean, { description: 'Gives up the challenge (sign in as a different user).' })
  cancelChallenge(@Arg('challengeId', () => ID) challengeId: string, @CurrentSession() session: SessionIdentity, @Ctx() { services }: GatewayContext): Promise<boolean> {
    return services.answers.cancel(session, challengeId);
  }

  @Mutation(() => TotpEnrolment, { description: 'Re-authenticates with the password, then mints a fresh pending secret (discarding an older pending one).' })
  beginTotpEnrolment(@Args() { tenantId, password }: TenantPasswordArgs, @CurrentSession() session: SessionIdentity, @Ctx() { services, loaders }: GatewayContext): Promise<TotpEnrolment> {
    return services.totpEnrolment.begin(session, loaders, tenantId, password);
  }

  @Mutation(() => RecoveryCodes, { description: "Turns the pending secret on; returns the recovery codes, once. Also satisfies this tenant's challenge for the session." })
  confirmTotpEnrolment(@Args() { tenantId, code }: TenantCodeArgs, @CurrentSession() session: SessionIdentity, @Ctx() { services, loaders }: GatewayContext): Promise<RecoveryCodes> {
    return services.totpEnrolment.confirm(session, loaders, tenantId, code);
  }

  @Mutation(() => RecoveryCodes, { description: 'Invalidates every earlier code at once.' })
  @TenantGate('member', { tenantArg: 'tenantId' })
  regenerateRecoveryCodes(@Args() { password }: TenantPasswordArgs, @CurrentSession() session: SessionIdentity, @Admitted() facts: MemberFacts, @Ctx() { services }: GatewayContext): Promise<RecoveryCodes> {
    return services.enrolment.regenerateRecoveryCodes(session, facts, password);
  }

  @Mutation(() => TwoFactorStatus, { description: 'v2. Removes TOTP but keeps passkeys; LAST_FACTOR when no passkey remains.' })
  @TenantGate('member', { tenantArg: 'tenantId' })
  removeTotpAuthenticator(@Args() { password }: TenantPasswordArgs, @CurrentSession() session: SessionIdentity, @Admitted() facts: MemberFacts, @Ctx() { services }: GatewayContext): Promise<TwoFactorStatus> {
    return services.enrolment.removeTotp(session, facts, password);
  }

  @Mutation(() => TwoFactorStatus)
  @TenantGate('member', { tenantArg: 'tenantId' })
  disableTwoFactor(@Args() { password }: TenantPasswordArgs, @CurrentSession() session: SessionIdentity, @Admitted() facts: MemberFacts, @Ctx() { services }: GatewayContext): Promise<TwoFactorStatus> {
    return services.enrolment.disable(session, facts, password);
  }
}

/**
 * Any factor's answer (TOTP, recovery code, passkey): with `rememberDevice`, where the tenant allows it, the device
 * is remembered: a browser gets the secret as an HttpOnly cookie only, any other client in
 * `rememberedDeviceToken` too (it keeps no cookies).
 */
export async function answerChallenge(
  { services, loaders, deviceTokens }: GatewayContext,
  session: SessionIdentity,
  challengeId: string,
  method: TwoFactorMethodName,
  answer: string,
  rememberDevice: boolean | null | undefined,
): Promise<Access> {
  const remember = rememberDevice ? { presented: deviceTokens.presented } : null;
  const view = await services.answers.answer(session, loaders, challengeId, method, answer, remember);
  const access = toAccess(view);
  if (view.rememberedDevice) {
    deviceTokens.set(view.tenant.id, view.rememberedDevice.secret, view.rememberedDevice.expiresAt);
    if (!deviceTokens.isBrowser) access.rememberedDeviceToken = view.rememberedDevice.secret;
  }
  return access;
}

export function toAccess(view: AccessView): Access {
  const tenant = toTenant(view.tenant);
  const challenge = view.challenge
    ? Object.assign(new TwoFactorChallenge(), {
        id: view.challenge.id,
        tenant,
        methods: view.challenge.methods,
        attemptsRemaining: view.challenge.attemptsRemaining,
        expiresAt: view.challenge.expiresAt,
      })
    : null;
  return Object.assign(new Access(), {
    status: view.status,
    tenant,
    workspace: view.workspace && toWorkspace(view.workspace),
    challenge,
    standing: view.standing?.source ?? null,
    secondFactorAt: view.standing?.passedAt ?? null,
    rememberedDeviceToken: null,
  });
}
