import { Args, ArgsType, Arg, Ctx, Field, ID, Mutation, Resolver } from 'type-graphql';
import type { SessionIdentity } from '../accounts/account.service';
import type { GatewayContext } from '../context';
import { CurrentSession } from '../graphql/current-session';
import { TenantGate } from '../graphql/tenant-gate';
import { ClientRateLimit } from '../rate-limits/client-rate-limit';
import { IsCode, IsPassword } from '../graphql/validation';
import { toTenant, toWorkspace } from '../tenancy/tenancy.types';
import type { AccessView } from './challenge.service';
import { Access, AccessStatus, RecoveryCodes, TotpEnrolment, TwoFactorChallenge, TwoFactorMethod, TwoFactorStatus } from './two-factor.types';

@ArgsType()
class ChallengeAnswerArgs {
  @Field(() => ID) challengeId!: string;
  @Field() @IsCode() code!: string;
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
  @Mutation(() => Access, { description: 'For tenant-level work (admin consoles): GRANTED, or what the session must do first.' })
  async enterTenant(@Arg('tenantId', () => ID) tenantId: string, @CurrentSession() session: SessionIdentity, @Ctx() { services, loaders }: GatewayContext): Promise<Access> {
    return toAccess(await services.challenges.enterTenant(session, loaders, tenantId));
  }

  @Mutation(() => Access, { description: 'Workspace switch: GRANTED, or what the session must do first.' })
  async enterWorkspace(@Arg('workspaceId', () => ID) workspaceId: string, @CurrentSession() session: SessionIdentity, @Ctx() { services, loaders }: GatewayContext): Promise<Access> {
    return toAccess(await services.challenges.enterWorkspace(session, loaders, workspaceId));
  }

  @Mutation(() => Access)
  @ClientRateLimit('answer')
  async verifyTwoFactor(@Args() { challengeId, code }: ChallengeAnswerArgs, @CurrentSession() session: SessionIdentity, @Ctx() { services, loaders }: GatewayContext): Promise<Access> {
    return toAccess(await services.challenges.verifyTwoFactor(session, loaders, challengeId, code));
  }

  @Mutation(() => Access)
  @ClientRateLimit('answer')
  async useRecoveryCode(@Args() { challengeId, code }: ChallengeAnswerArgs, @CurrentSession() session: SessionIdentity, @Ctx() { services, loaders }: GatewayContext): Promise<Access> {
    return toAccess(await services.challenges.useRecoveryCode(session, loaders, challengeId, code));
  }

  @Mutation(() => Boolean, { description: 'Gives up the challenge (sign in as a different user).' })
  cancelChallenge(@Arg('challengeId', () => ID) challengeId: string, @CurrentSession() session: SessionIdentity, @Ctx() { services }: GatewayContext): Promise<boolean> {
    return services.challenges.cancel(session, challengeId);
  }

  @Mutation(() => TotpEnrolment, { description: 'Re-authenticates with the password, then mints a fresh pending secret (discarding an older pending one).' })
  beginTotpEnrolment(@Args() { tenantId, password }: TenantPasswordArgs, @CurrentSession() session: SessionIdentity, @Ctx() { services, loaders }: GatewayContext): Promise<TotpEnrolment> {
    return services.enrolment.begin(session, loaders, tenantId, password);
  }

  @Mutation(() => RecoveryCodes, { description: "Turns the pending secret on; returns the recovery codes, once. Also satisfies this tenant's challenge for the session." })
  confirmTotpEnrolment(@Args() { tenantId, code }: TenantCodeArgs, @CurrentSession() session: SessionIdentity, @Ctx() { services, loaders }: GatewayContext): Promise<RecoveryCodes> {
    return services.enrolment.confirm(session, loaders, tenantId, code);
  }

  @Mutation(() => RecoveryCodes, { description: 'Invalidates every earlier code at once.' })
  @TenantGate('member', { tenantArg: 'tenantId' })
  async regenerateRecoveryCodes(@Args() { tenantId, password }: TenantPasswordArgs, @CurrentSession() session: SessionIdentity, @Ctx() { services, loaders }: GatewayContext): Promise<RecoveryCodes> {
    return services.enrolment.regenerateRecoveryCodes(session, await services.gate.member(loaders, tenantId), password);
  }

  @Mutation(() => TwoFactorStatus, { description: 'v2. Removes TOTP but keeps passkeys; LAST_FACTOR when no passkey remains.' })
  @TenantGate('member', { tenantArg: 'tenantId' })
  async removeTotpAuthenticator(@Args() { tenantId, password }: TenantPasswordArgs, @CurrentSession() session: SessionIdentity, @Ctx() { services, loaders }: GatewayContext): Promise<TwoFactorStatus> {
    return services.enrolment.removeTotp(session, await services.gate.member(loaders, tenantId), password);
  }

  @Mutation(() => TwoFactorStatus)
  @TenantGate('member', { tenantArg: 'tenantId' })
  async disableTwoFactor(@Args() { tenantId, password }: TenantPasswordArgs, @CurrentSession() session: SessionIdentity, @Ctx() { services, loaders }: GatewayContext): Promise<TwoFactorStatus> {
    return services.enrolment.disable(session, await services.gate.member(loaders, tenantId), password);
  }
}

export function toAccess(view: AccessView): Access {
  const tenant = toTenant(view.tenant);
  const challenge = view.challenge
    ? Object.assign(new TwoFactorChallenge(), {
        id: view.challenge.id,
        tenant,
        methods: view.challenge.methods as TwoFactorMethod[],
        attemptsRemaining: view.challenge.attemptsRemaining,
        expiresAt: view.challenge.expiresAt,
      })
    : null;
  return Object.assign(new Access(), {
    status: view.status as AccessStatus,
    tenant,
    workspace: view.workspace && toWorkspace(view.workspace),
    challenge,
  });
}
