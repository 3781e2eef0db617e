import { ArrayMaxSize, ArrayMinSize, Length, Matches, MaxLength } from 'class-validator';
import { Field, InputType, ObjectType } from 'type-graphql';
import { Tenant } from '../tenancy/tenancy.types';
import type { IdentityProviderSettings } from './identity-provider-store';
import { CLIENT_ID_MAX_LENGTH, CLIENT_SECRET_MAX_LENGTH, DOMAIN_MAX_LENGTH, ISSUER_MAX_LENGTH, MAX_EMAIL_DOMAINS } from './sso-rules';

@ObjectType({ description: "A tenant's OpenID Connect identity provider (the client secret is never readable)." })
export class IdentityProvider {
  @Field() issuer!: string;
  @Field() clientId!: string;
  @Field(() => [String], { description: 'E-mail domains routed to this provider at sign-in, e.g. ["acme.example"].' }) emailDomains!: string[];
  @Field({ description: 'Signing in with the password is refused for these domains (SSO_REQUIRED).' }) required!: boolean;
  @Field({ description: 'A verified address unknown to the gateway becomes an agent and an AGENT member on first sign-in.' }) justInTimeMembers!: boolean;
  @Field({ description: "An id_token whose amr shows a second factor grants this tenant's standing (StandingSource IDENTITY_PROVIDER)." })
  trustProviderMfa!: boolean;
}

@InputType()
export class IdentityProviderInput {
  @Field({ description: 'The OpenID issuer (discovery from <issuer>/.well-known/openid-configuration); https.' })
  @MaxLength(ISSUER_MAX_LENGTH)
  @Matches(/^https?:\/\/\S+$/, { message: 'issuer must be an absolute URL such as https://idp.example.com/realms/acme' })
  issuer!: string;

  @Field()
  @Length(1, CLIENT_ID_MAX_LENGTH)
  @Matches(/^[\x21-\x7e]+$/, { message: 'clientId must be printable ASCII without spaces' })
  clientId!: string;

  @Field({ description: 'Sealed at rest like TOTP secrets. Empty keeps the secret already stored (never readable back).' })
  @MaxLength(CLIENT_SECRET_MAX_LENGTH)
  @Matches(/^[\x20-\x7e]*$/, { message: 'clientSecret must be printable ASCII' })
  clientSecret!: string;

  @Field(() => [String])
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_EMAIL_DOMAINS)
  @MaxLength(DOMAIN_MAX_LENGTH, { each: true })
  @Matches(/^([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/, {
    each: true,
    message: 'each of emailDomains must be a domain name such as acme.example',
  })
  emailDomains!: string[];

  @Field({ defaultValue: false }) required!: boolean;
  @Field({ defaultValue: false }) justInTimeMembers!: boolean;
  @Field({ defaultValue: false }) trustProviderMfa!: boolean;
}

@ObjectType({ description: 'Where to send the browser to sign in with an identity provider.' })
export class SsoStart {
  @Field(() => Tenant) tenant!: Tenant;
  @Field({ description: "The provider's authorization URL (code flow with PKCE, state and nonce)." }) authorizationUrl!: string;
  @Field({ description: 'The sign-in must come back through /sso/callback before this.' }) expiresAt!: Date;
}

export function toIdentityProvider(settings: IdentityProviderSettings): IdentityProvider {
  return Object.assign(new IdentityProvider(), {
    issuer: settings.issuer,
    clientId: settings.clientId,
    emailDomains: settings.emailDomains,
    required: settings.required,
    justInTimeMembers: settings.justInTimeMembers,
    trustProviderMfa: settings.trustProviderMfa,
  });
}
