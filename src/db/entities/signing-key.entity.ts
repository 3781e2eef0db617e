import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A key that signs access tokens (src/tokens/signing-keys.ts); its id is the JWS `kid`. */
@Entity('signing_keys')
export class SigningKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  /** 1 for the first key, one more for each rotation; unique, so racing rotations make one key. */
  @Column({ type: 'integer' }) generation!: number;
  /** The JWS `alg` (RFC 7518), ES256. */
  @Column({ type: 'varchar', length: 16 }) algorithm!: string;
  /** The public half as a JWK (RFC 7517), JSON: what /.well-known/jwks.json lists. */
  @Column({ name: 'public_jwk', type: 'text' }) publicJwk!: string;
  /** The private JWK, sealed with the SecretBox (context `signing-key:<id>`). */
  @Column({ name: 'private_key_ciphertext', type: 'text' }) privateKeyCiphertext!: string;
  /** The ENCRYPTION_KEYS id that sealed it. */
  @Column({ name: 'key_id', type: 'varchar', length: 32 }) keyId!: string;
  /** Published (listed in the JWKS) from here. */
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  /** Signs from here, until a later key activates. */
  @Column({ name: 'activates_at', type: 'datetime', precision: 3 }) activatesAt!: Date;
}
