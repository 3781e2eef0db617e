import * as oidc from 'openid-client';
import { SSO_SCOPES } from './sso-rules';

/**
 * The only importer of `openid-client` (panva; OpenID Certified): discovery, the authorization URL, and the code
 * exchange with every check of the callback: `state`, the PKCE verifier, the `iss` parameter (RFC 9207) where the
 * provider announces it, and the id_token's signature (the provider's JWKS), issuer, audience, expiry and nonce.
 * The client authenticates with `client_secret_basic`.
 */

/** The provider settings the client is built from. */
export interface ProviderClientSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/** The claims the gateway reads from a validated sign-in. */
export interface ProviderClaims {
  sub: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  amr: unknown;
}

/** A sign-in the provider (or its answer) refused: `reason` is a word for the log and the console, never a token. */
export class ProviderRefusal extends Error {
  constructor(
    readonly reason: string,
    readonly libraryCode?: string,
  ) {
    super(`the identity provider's answer was refused: ${reason}${libraryCode ? ` (${libraryCode})` : ''}`);
    this.name = 'ProviderRefusal';
  }
}

/** Discovery documents are fetched once per settings and kept this long (a provider rarely moves its endpoints). */
const DISCOVERY_CACHE_MS = 10 * 60_000;
const HTTP_TIMEOUT_SECONDS = 10;

export class OidcClient {
  private readonly configurations = new Map<string, { at: number; configuration: Promise<oidc.Configuration> }>();

  constructor(
    /** http:// issuers are accepted outside production only (on a loopback address: sso-rules.ts decides). */
    private readonly allowHttp: boolean,
  ) {}

  /** The URL to send the browser to: code flow, PKCE S256, state and nonce. */
  async authorizationUrl(settings: ProviderClientSettings, request: { redirectUri: string; state: string; nonce: string; codeVerifier: string }): Promise<string> {
    const configuration = await this.configuration(settings);
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: request.redirectUri,
      response_type: 'code',
      scope: SSO_SCOPES,
      state: request.state,
      nonce: request.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(request.codeVerifier),
      code_challenge_method: 'S256',
    });
    return url.href;
  }

  /**
   * Exchanges the code of the callback URL (`currentUrl`, as the browser reached it) and validates what came back.
   * The address comes from the id_token, or, where a provider keeps it out of the id_token, from the userinfo
   * endpoint for the same `sub`.
   */
  async finish(settings: ProviderClientSettings, currentUrl: URL, checks: { state: string; nonce: string; codeVerifier: string }): Promise<ProviderClaims> {
    const configuration = await this.configuration(settings);
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(configuration, currentUrl, {
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        pkceCodeVerifier: checks.codeVerifier,
        idTokenExpected: true,
      });
    } catch (error) {
      throw refusal('token-rejected', error);
    }
    const claims = tokens.claims();
    if (!claims || typeof claims.sub !== 'string') throw new ProviderRefusal('no-id-token');
    let email = typeof claims.email === 'string' ? claims.email : null;
    let emailVerified = claims.email_verified === true;
    let name = typeof claims.name === 'string' ? claims.name : null;
    if (!email && tokens.access_token) {
      try {
        const info = await oidc.fetchUserInfo(configuration, tokens.access_token, claims.sub);
        email = typeof info.email === 'string' ? info.email : null;
        emailVerified = info.email_verified === true;
        name ??= typeof info.name === 'string' ? info.name : null;
      } catch (error) {
        throw refusal('userinfo-rejected', error);
      }
    }
    return { sub: claims.sub, email, emailVerified, name, amr: claims.amr };
  }

  /** Forgets what discovery found for these settings (they changed, or were removed). */
  forget(issuer: string): void {
    for (const key of [...this.configurations.keys()]) if (key.startsWith(`${issuer}\n`)) this.configurations.delete(key);
  }

  private configuration(settings: ProviderClientSettings): Promise<oidc.Configuration> {
    const key = `${settings.issuer}\n${settings.clientId}\n${settings.clientSecret}`;
    const cached = this.configurations.get(key);
    if (cached && Date.now() - cached.at < DISCOVERY_CACHE_MS) return cached.configuration;
    const configuration = oidc
      .discovery(new URL(settings.issuer), settings.clientId, undefined, oidc.ClientSecretBasic(settings.clientSecret), {
        timeout: HTTP_TIMEOUT_SECONDS,
        execute: this.allowHttp && settings.issuer.startsWith('http:') ? [oidc.allowInsecureRequests] : [],
      })
      .catch((error: unknown) => {
        this.configurations.delete(key); // a provider down now may answer the next attempt
        throw refusal('discovery-failed', error);
      });
    this.configurations.set(key, { at: Date.now(), configuration });
    return configuration;
  }
}

function refusal(reason: string, error: unknown): ProviderRefusal {
  const code = (error as { code?: unknown; error?: unknown }).error ?? (error as { code?: unknown }).code;
  return new ProviderRefusal(reason, typeof code === 'string' ? code.slice(0, 64) : undefined);
}
