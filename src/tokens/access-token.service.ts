import type { SessionIdentity } from '../accounts/session-identity';
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { Database } from '../db/database';
import type { TenantRoleName } from '../db/entities/tenant.entity';
import { newId } from '../db/ids';
import { assertThat } from '../errors/domain-error';
import { SpecificMessages } from '../errors/error-codes';
import type { PublicUrl } from '../http/public-url';
import type { Loaders } from '../loaders';
import type { TenancyService } from '../tenancy/tenancy.service';
import type { GateService } from '../two-factor/gate.service';
import { signJwt, verifyJwt } from './jwt';
import { secondFactorClaims, SecondFactorClaims } from './second-factor-claims';
import type { SigningKeyStore } from './signing-keys';
import { isTokenLive, LiveClaims, readTokenFacts } from './token-facts';

/** The payload of an access token (RULES v3, "Access tokens for downstream services"). */
export interface AccessTokenClaims extends SecondFactorClaims {
  /** PUBLIC_URL. */
  iss: string;
  /** The agent. */
  sub: string;
  aud: string;
  exp: number;
  iat: number;
  jti: string;
  /** The session. */
  sid: string;
  tid: string;
  wid?: string;
  role: TenantRoleName;
  email: string;
}

export interface MintedAccessToken {
  token: string;
  expiresAt: Date;
  claims: AccessTokenClaims;
}

/** RFC 7662 §2.2: an inactive token says nothing more. */
export type Introspection = { active: false } | ({ active: true } & Record<string, unknown>);

/**
 * Access tokens: minted where the gate would let the session in right now, signed with the current key; and
 * introspected for services that must notice a revocation before the token expires.
 *
 * Minting writes nothing, not even an audit event: it changes no state (the standing a token reports was
 * audited when it was granted, CHALLENGE_PASSED), and clients mint every few minutes per session, which would
 * drown the tenant's audit log in copies of facts it already holds. The request log line names the operation.
 */
export class AccessTokenService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly gate: GateService,
    private readonly tenancy: TenancyService,
    private readonly keys: SigningKeyStore,
    private readonly publicUrl: PublicUrl,
    private readonly settings: Config['accessTokens'],
  ) {}

  /** TOKEN_AUDIENCES, the first being the default; without it, PUBLIC_URL alone. */
  get audiences(): string[] {
    return this.settings.audiences.length ? this.settings.audiences : [this.publicUrl.base];
  }

  /**
   * A token for the tenant (and one of its workspaces) exactly where entering would answer GRANTED now:
   * NOT_FOUND outside the tenant or its visible workspaces, TWO_FACTOR_ENROLMENT_REQUIRED / TWO_FACTOR_REQUIRED
   * where entering would ask for set-up or a challenge (none is opened).
   */
  async mint(session: SessionIdentity, loaders: Loaders, tenantId: string, workspaceId?: string | null, audience?: string | null): Promise<MintedAccessToken> {
    const aud = audience ?? this.audiences[0];
    assertThat(this.audiences.includes(aud), 'BAD_USER_INPUT', { field: 'audience' }, SpecificMessages.UNKNOWN_AUDIENCE);
    const workspace = workspaceId ? await this.tenancy.visibleWorkspace(loaders, session, workspaceId) : null;
    assertThat(!workspace || workspace.tenantId === tenantId, 'NOT_FOUND');
    const facts = await this.gate.member(loaders, tenantId);
    const { email, standing } = await readTokenFacts(this.db, session, tenantId, this.clock.now());
    // The gate decides on the standing just read, which the token then reports: the request's facts may
    // predate a pass made by this very request (an answer's Access.accessToken).
    this.gate.assertMayEnter({ ...facts, standing }, workspace?.twoFactorRequired ?? false);

    const iat = Math.floor(this.clock.now().getTime() / 1000);
    const claims: AccessTokenClaims = {
      iss: this.publicUrl.base,
      sub: session.agentId,
      aud,
      exp: iat + this.settings.ttlSeconds,
      iat,
      jti: newId(),
      sid: session.sessionId,
      tid: tenantId,
      ...(workspace ? { wid: workspace.id } : {}),
      role: facts.role,
      email,
      ...secondFactorClaims(standing),
    };
    const key = await this.keys.signingKey();
    return { token: await signJwt({ ...claims }, await key.signKey(), key.kid), expiresAt: new Date(claims.exp * 1000), claims };
  }

  /**
   * RFC 7662: active with the claims for a token this gateway signed (its own algorithm, a key it publishes),
   * unexpired, whose session, membership and (for aal2) standing still hold; `{ active: false }` for anything else.
   */
  async introspect(token: string): Promise<Introspection> {
    const now = this.clock.now();
    const published = await this.keys.publishedKeys();
    const claims = await verifyJwt(token, (kid) => published.find((key) => key.kid === kid)?.verifyKey, { issuer: this.publicUrl.base, now });
    if (!claims || !hasLiveClaims(claims) || !(await isTokenLive(this.db, claims, now))) return { active: false };
    return { active: true, ...claims };
  }

  /** The JWK Set (RFC 7517 §5) of /.well-known/jwks.json. */
  async jwks(): Promise<{ keys: object[] }> {
    return { keys: (await this.keys.publishedKeys()).map((key) => key.publicJwk) };
  }
}

function hasLiveClaims(claims: Record<string, unknown>): claims is Record<string, unknown> & LiveClaims {
  return ['sub', 'sid', 'tid', 'acr'].every((name) => typeof claims[name] === 'string');
}
