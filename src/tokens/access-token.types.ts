import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ObjectType } from 'type-graphql';
import type { MintedAccessToken } from './access-token.service';

@ObjectType({ description: 'v3. A short-lived JWT for the services behind the gateway, verifiable with the keys at /.well-known/jwks.json.' })
export class AccessToken {
  @Field({ description: 'Compact JWS (ES256 or EdDSA), `kid` in its header.' }) token!: string;
  @Field() expiresAt!: Date;
  @Field(() => GraphQLJSONObject, { description: "The token's payload, for display and debugging." }) claims!: Record<string, unknown>;
}

export function toAccessToken(minted: MintedAccessToken): AccessToken {
  return Object.assign(new AccessToken(), { token: minted.token, expiresAt: minted.expiresAt, claims: { ...minted.claims } });
}
