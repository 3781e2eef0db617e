import { Field, ID, ObjectType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import type { PasskeyEntity } from '../../../db/entities';
import { TwoFactorStatus } from '../../two-factor.types';

@ObjectType({ description: 'v2. A WebAuthn credential registered as a second factor for one (agent, tenant).' })
export class Passkey {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true }) lastUsedAt!: Date | null;
  @Field({ description: "Backup-eligible and backed up (a synced passkey), from the authenticator's flags." }) backedUp!: boolean;
}

@ObjectType({ description: 'v2' })
export class PasskeyOptions {
  @Field(() => GraphQLJSONObject, {
    description:
      'PublicKeyCredentialCreationOptionsJSON or PublicKeyCredentialRequestOptionsJSON (WebAuthn Level 3), for PublicKeyCredential.parse…OptionsFromJSON or @simplewebauthn/browser.',
  })
  options!: Record<string, unknown>;
  @Field() expiresAt!: Date;
}

@ObjectType({ description: 'v2' })
export class PasskeyAdded {
  @Field(() => Passkey) passkey!: Passkey;
  @Field(() => [String], { description: 'Fresh recovery codes, shown once, when this passkey turned 2FA on in the tenant; empty otherwise.' })
  recoveryCodes!: string[];
  @Field(() => TwoFactorStatus) status!: TwoFactorStatus;
}

/** Explicit mapping: the public key, counter and credential id never reach the wire. */
export function toPasskey(entity: PasskeyEntity): Passkey {
  return Object.assign(new Passkey(), {
    id: entity.id,
    name: entity.name,
    createdAt: entity.createdAt,
    lastUsedAt: entity.lastUsedAt,
    backedUp: Boolean(Number(entity.backedUp)),
  });
}
