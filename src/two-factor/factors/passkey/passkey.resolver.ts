import { Matches } from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { SessionIdentity } from '../../../accounts/session-identity';
import type { GatewayContext } from '../../../context';
import { CurrentSession } from '../../../graphql/current-session';
import { Admitted, TenantGate } from '../../../graphql/tenant-gate';
import type { MemberFacts } from '../../gate.service';
import { IsPassword } from '../../../graphql/validation';
import { ClientRateLimit } from '../../../rate-limits/client-rate-limit';
import { pairKey } from '../../../tenancy/pair-key';
import { answerChallenge } from '../../two-factor.resolver';
import { Access, TwoFactorStatus } from '../../two-factor.types';
import { Passkey, PasskeyAdded, PasskeyOptions, toPasskey } from './passkey.types';

/** 1 to 64 code points (the column's length), not blank, no control characters. */
const IsPasskeyName = () => (target: object, key: string | symbol) => {
  Matches(/^[\s\S]{1,64}$/u, { message: 'name must be 1 to 64 characters' })(target, key);
  Matches(/\S/, { message: 'name must not be blank' })(target, key);
  Matches(/^[^\p{Cc}]*$/u, { message: 'name must not contain control characters' })(target, key);
};

@ArgsType()
class BeginRegistrationArgs {
  @Field(() => ID) tenantId!: string;
  @Field() @IsPassword() password!: string;
}

@ArgsType()
class FinishRegistrationArgs {
  @Field(() => ID) tenantId!: string;
  @Field() @IsPasskeyName() name!: string;
  @Field(() => GraphQLJSONObject) credential!: Record<string, unknown>;
}

@ArgsType()
class RenameArgs {
  @Field(() => ID) tenantId!: string;
  @Field(() => ID) passkeyId!: string;
  @Field() @IsPasskeyName() name!: string;
}

@ArgsType()
class RemoveArgs {
  @Field(() => ID) tenantId!: string;
  @Field(() => ID) passkeyId!: string;
  @Field() @IsPassword() password!: string;
}

@ArgsType()
class VerifyArgs {
  @Field(() => ID) challengeId!: string;
  @Field(() => GraphQLJSONObject) credential!: Record<string, unknown>;
  @Field({ nullable: true, defaultValue: false }) rememberDevice!: boolean;
}

/** Passkeys (WebAuthn) as a second factor: registration and management per (agent, tenant), and the challenge's assertion. */
@Resolver(() => TwoFactorStatus)
export class PasskeyResolver {
  @FieldResolver(() => [Passkey], { description: 'v2' })
  async passkeys(@Root() status: TwoFactorStatus, @Ctx() { loaders }: GatewayContext): Promise<Passkey[]> {
    if (!status.pair || !status.passkeyCount) return []; // nothing to read: no statement
    return (await loaders.passkeys.load(pairKey(status.pair.tenantId, status.pair.agentId))).map(toPasskey);
  }

  @Mutation(() => PasskeyOptions, { description: 'Re-authenticates with the password; options for navigator.credentials.create. Needs tenant 2FA on.' })
  beginPasskeyRegistration(@Args() { tenantId, password }: BeginRegistrationArgs, @CurrentSession() session: SessionIdentity, @Ctx() { services, loaders }: GatewayContext): Promise<PasskeyOptions> {
    return services.passkeyEnrolment.beginRegistration(session, loaders, tenantId, password);
  }

  @Mutation(() => PasskeyAdded, { description: 'Verifies the attestation response (the JSON of the PublicKeyCredential); the first factor of the pair turns 2FA on.' })
  async finishPasskeyRegistration(@Args() { tenantId, name, credential }: FinishRegistrationArgs, @CurrentSession() session: SessionIdentity, @Ctx() { services, loaders }: GatewayContext): Promise<PasskeyAdded> {
    const added = await services.passkeyEnrolment.finishRegistration(session, loaders, tenantId, name, credential);
    return Object.assign(new PasskeyAdded(), { passkey: toPasskey(added.passkey), recoveryCodes: added.recoveryCodes, status: added.status });
  }

  @Mutation(() => Passkey)
  @TenantGate('member', { tenantArg: 'tenantId' })
  async renamePasskey(@Args() { tenantId, passkeyId, name }: RenameArgs, @CurrentSession() session: SessionIdentity, @Ctx() { services }: GatewayContext): Promise<Passkey> {
    return toPasskey(await services.passkeyEnrolment.rename(session, tenantId, passkeyId, name));
  }

  @Mutation(() => TwoFactorStatus, { description: "LAST_FACTOR when it is the pair's last second factor (disableTwoFactor turns 2FA off instead)." })
  @TenantGate('member', { tenantArg: 'tenantId' })
  removePasskey(@Args() { passkeyId, password }: RemoveArgs, @CurrentSession() session: SessionIdentity, @Admitted() facts: MemberFacts, @Ctx() { services }: GatewayContext): Promise<TwoFactorStatus> {
    return services.passkeyEnrolment.remove(session, facts, passkeyId, password);
  }

  @Mutation(() => PasskeyOptions, { description: 'Options for navigator.credentials.get, for a challenge whose methods include PASSKEY.' })
  @ClientRateLimit('answer')
  beginPasskeyAssertion(@Arg('challengeId', () => ID) challengeId: string, @CurrentSession() session: SessionIdentity, @Ctx() { services }: GatewayContext): Promise<PasskeyOptions> {
    return services.passkeyAssertions.beginAssertion(session, challengeId);
  }

  @Mutation(() => Access, { description: 'A rejected assertion is PASSKEY_REJECTED and spends an attempt like a wrong code. v3: rememberDevice.' })
  @ClientRateLimit('answer')
  async verifyPasskey(@Args() { challengeId, credential, rememberDevice }: VerifyArgs, @CurrentSession() session: SessionIdentity, @Ctx() context: GatewayContext): Promise<Access> {
    // The factor's answer is text, as for codes: the credential's JSON (the passkey factor parses it back).
    return answerChallenge(context, session, challengeId, 'PASSKEY', JSON.stringify(credential), rememberDevice);
  }
}
