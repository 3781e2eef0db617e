import { Field, ID, Int, ObjectType } from 'type-graphql';
import { graphqlEnum } from '../graphql/enums';
import { Tenant, Workspace } from '../tenancy/tenancy.types';
import { TWO_FACTOR_METHODS, TWO_FACTOR_STATES, TwoFactorMethodName, TwoFactorStateName } from './authenticator-state';
import { ACCESS_DECISIONS, AccessDecision } from './gate';
import { STANDING_SOURCES, StandingSourceName } from '../db/entities/tenant-standing.entity';

export type TwoFactorState = TwoFactorStateName;
export const TwoFactorState = graphqlEnum(TWO_FACTOR_STATES, {
  name: 'TwoFactorState',
  description: "Per agent and tenant: the state of that tenant's authenticator for that agent.",
});

export type TwoFactorMethod = TwoFactorMethodName;
export const TwoFactorMethod = graphqlEnum(TWO_FACTOR_METHODS, { name: 'TwoFactorMethod' });

export type AccessStatus = AccessDecision;
export const AccessStatus = graphqlEnum(ACCESS_DECISIONS, {
  name: 'AccessStatus',
  valuesConfig: {
    TWO_FACTOR_SETUP_REQUIRED: { description: 'Enrol in this tenant first (beginTotpEnrolment / confirmTotpEnrolment).' },
    TWO_FACTOR_CHALLENGE_REQUIRED: { description: 'Answer `challenge` with verifyTwoFactor or useRecoveryCode.' },
  },
});

export type StandingSource = StandingSourceName;
export const StandingSource = graphqlEnum(STANDING_SOURCES, {
  name: 'StandingSource',
  description: "v3. How a session holds a tenant's second factor.",
  valuesConfig: {
    CHALLENGE: { description: 'Answered a challenge (or confirmed enrolment) in this session.' },
    REMEMBERED_DEVICE: { description: 'A device remembered for this tenant vouched for it (never enough for privileged actions).' },
    IDENTITY_PROVIDER: { description: "The tenant trusts its identity provider's multi-factor sign-in (trustProviderMfa)." },
    DEVICE_APPROVAL: { description: 'A device sign-in approved by a browser session that held it.' },
  },
});

// Its own fields hold plain values: they resolve as properties, without type-graphql's per-field wrapper.
@ObjectType({ simpleResolvers: true })
export class TwoFactorStatus {
  @Field(() => TwoFactorState) state!: TwoFactorState;
  @Field({ description: 'True exactly when state is ENABLED.' }) enabled!: boolean;
  @Field(() => [TwoFactorMethod], { description: 'Usable second factors, e.g. [TOTP, RECOVERY_CODE]; empty unless enabled.' })
  methods!: TwoFactorMethod[];
  @Field(() => Int) recoveryCodesRemaining!: number;
  @Field(() => Date, { nullable: true }) confirmedAt!: Date | null;
  @Field({ description: 'v2. Whether a TOTP authenticator is confirmed (2FA can be ENABLED by passkeys alone).' }) totpEnabled!: boolean;
  // `passkeys` is a field resolver (factors/passkey/passkey.resolver.ts), loaded only when passkeyCount > 0.
  passkeyCount!: number;
  /** The (tenant, agent) the status belongs to, for the passkeys loader; null where the status has no passkeys to show. */
  pair!: { tenantId: string; agentId: string } | null;
}

@ObjectType()
export class TwoFactorChallenge {
  @Field(() => ID) id!: string;
  @Field(() => Tenant) tenant!: Tenant;
  @Field(() => [TwoFactorMethod]) methods!: TwoFactorMethod[];
  @Field(() => Int) attemptsRemaining!: number;
  @Field() expiresAt!: Date;
}

@ObjectType({ description: 'What the session may do in a tenant (and, from enterWorkspace, one of its workspaces).' })
export class Access {
  @Field(() => AccessStatus) status!: AccessStatus;
  @Field(() => Tenant) tenant!: Tenant;
  @Field(() => Workspace, { nullable: true, description: 'Set by enterWorkspace, and by a challenge that began there.' })
  workspace!: Workspace | null;
  @Field(() => TwoFactorChallenge, { nullable: true, description: 'Set when status is TWO_FACTOR_CHALLENGE_REQUIRED.' })
  challenge!: TwoFactorChallenge | null;
  @Field(() => StandingSource, { nullable: true, description: "v3. How the session holds the tenant's second factor, when it does." })
  standing!: StandingSource | null;
  @Field(() => Date, {
    nullable: true,
    description: 'v3. When this session last passed the tenant\'s second factor (the `second_factor_at` of access tokens).',
  })
  secondFactorAt!: Date | null;
  @Field(() => String, {
    nullable: true,
    description:
      'v3. Set when a challenge was answered with rememberDevice: true, for clients that keep no cookies (send it back as the X-Remembered-Device header). Browsers get it as an HttpOnly cookie instead.',
  })
  rememberedDeviceToken!: string | null;
}

@ObjectType()
export class TotpEnrolment {
  @Field({ description: 'Base32, for manual entry.' }) secret!: string;
  @Field({ description: 'otpauth://totp/<issuer>:<email>?secret=...&issuer=<issuer>&algorithm=SHA1&digits=6&period=30' })
  otpauthUri!: string;
  @Field({ description: 'The otpauthUri as a QR code: a data:image/png;base64 URL, and an SVG document.' })
  qrCodeDataUrl!: string;
  @Field() qrCodeSvg!: string;
  @Field() expiresAt!: Date;
}

@ObjectType()
export class RecoveryCodes {
  @Field(() => [String], { description: 'Plain codes, shown once. The gateway keeps only what it needs to check them.' })
  codes!: string[];
  @Field(() => TwoFactorStatus) status!: TwoFactorStatus;
}
