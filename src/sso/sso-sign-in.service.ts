import type { AccountService, IssuedSession, SignInOrigin } from '../accounts/account.service';
import { normalizeEmail } from '../accounts/email-address';
import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import type { SecretBox } from '../crypto/secret-box';
import { derivedSecret, hashSessionToken, newLinkToken, secretsEqual } from '../crypto/tokens';
import { Database, sqlExecute, sqlRows, Tx } from '../db/database';
import { AgentEntity, TenantEntity } from '../db/entities';
import { newId } from '../db/ids';
import { rawDate } from '../db/raw';
import { assertThat, DomainError } from '../errors/domain-error';
import type { PublicUrl } from '../http/public-url';
import { addMembership } from '../tenancy/memberships';
import { grantStanding } from '../two-factor/standing';
import type { IdentityProviderStore } from './identity-provider-store';
import { OidcClient, ProviderClaims, ProviderRefusal } from './oidc-client';
import { amrForAudit, consolePath, domainOf, showsSecondFactor, SSO_CALLBACK_PATH, SSO_START_TTL_MS } from './sso-rules';

/** A start: where to send the browser, and the state its cookie binds to this browser. */
export interface SsoStartIssued {
  tenant: TenantEntity;
  authorizationUrl: string;
  expiresAt: Date;
  state: string;
}

/** How a callback ended: a session and where to return, or a refusal with a reason word (log, console, audit). */
export type SsoOutcome = { kind: 'signed-in'; session: IssuedSession; returnTo: string } | { kind: 'refused'; reason: string; detail?: string };

/** Each start's PKCE verifier is derived from its state under a key derived from ENCRYPTION_KEYS: it is never stored. */
const VERIFIER_PURPOSE = 'sso-pkce-verifier';

class Refused extends Error {
  constructor(
    readonly reason: string,
    /** An agent of a tenant that the refusal is audited in (SSO_SIGN_IN_REFUSED), when one is known. */
    readonly audit?: { tenantId: string; agentId: string },
  ) {
    super(reason);
  }
}

/**
 * Signing in with a tenant's identity provider (RULES v3, "Single sign-on"): beginSsoSignIn stores the start
 * (state's hash, nonce, returnTo, expiry) in the database, so any process may finish it; the callback consumes it
 * once, lets openid-client validate the provider's answer, finds or links (or, just in time, makes) the agent, and
 * starts a session that then meets the tenant's gate like any other.
 */
export class SsoSignInService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly secretBox: SecretBox,
    private readonly store: IdentityProviderStore,
    private readonly oidc: OidcClient,
    private readonly accounts: AccountService,
    private readonly publicUrl: PublicUrl,
  ) {}

  async begin(tenantId: string, returnTo: string | null | undefined): Promise<SsoStartIssued> {
    const path = consolePath(returnTo ?? '/');
    assertThat(path, 'BAD_USER_INPUT', { field: 'returnTo' }, 'returnTo must be a path of the console, such as /workspaces');
    const provider = await this.store.withSecret(this.db.manager, tenantId);
    assertThat(provider, 'NOT_FOUND');
    const state = newLinkToken();
    const nonce = newLinkToken();
    let authorizationUrl: string;
    try {
      authorizationUrl = await this.oidc.authorizationUrl(provider, { redirectUri: this.redirectUri, state, nonce, codeVerifier: this.codeVerifier(state) });
    } catch (error) {
      if (error instanceof ProviderRefusal) throw new DomainError('NOT_FOUND', { reason: 'IDENTITY_PROVIDER_UNAVAILABLE' }, 'The identity provider could not be reached. Try again later.');
      throw error;
    }
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + SSO_START_TTL_MS);
    const tenant = await this.db.transaction(async (tx) => {
      // Starts never finished would pile up: those expired an hour ago go (the index on expires_at finds them).
      await sqlExecute(tx, 'DELETE FROM sso_starts WHERE expires_at < ?', [new Date(now.getTime() - 3600_000)]);
      await sqlExecute(tx, 'INSERT INTO sso_starts (id, state_hash, tenant_id, nonce, return_to, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)', [
        newId(),
        hashSessionToken(state),
        tenantId,
        nonce,
        path,
        now,
        expiresAt,
      ]);
      return tx.findOneByOrFail(TenantEntity, { id: tenantId });
    });
    return { tenant, authorizationUrl, expiresAt, state };
  }

  /**
   * The callback: `query` as the provider sent the browser back, `stateCookie` what this browser was given at the
   * start. Every refusal signs nothing in.
   */
  async finish(query: URLSearchParams, stateCookie: string | null, origin: SignInOrigin): Promise<SsoOutcome> {
    try {
      return await this.finishOrRefuse(query, stateCookie, origin);
    } catch (error) {
      if (error instanceof Refused) {
        if (error.audit) await this.auditRefusal(error.audit, error.reason, origin);
        return { kind: 'refused', reason: error.reason };
      }
      if (error instanceof ProviderRefusal) return { kind: 'refused', reason: error.reason, detail: error.libraryCode };
      throw error;
    }
  }

  private async finishOrRefuse(query: URLSearchParams, stateCookie: string | null, origin: SignInOrigin): Promise<SsoOutcome> {
    const state = query.get('state') ?? '';
    if (!state || state.length > 128) throw new Refused('missing-state');
    // Login CSRF: a state finished in a browser other than the one that started it.
    if (!stateCookie || !secretsEqual(stateCookie, state)) throw new Refused('foreign-state');
    const start = await this.consumeStart(state);
    const providerError = query.get('error');
    if (providerError) throw new Refused(`provider-error:${/^[\w.-]{1,64}$/.test(providerError) ? providerError : 'other'}`);
    const provider = await this.store.withSecret(this.db.manager, start.tenantId);
    if (!provider) throw new Refused('no-provider');
    const currentUrl = new URL(this.redirectUri);
    currentUrl.search = query.toString();
    const claims = await this.oidc.finish(provider, currentUrl, { state, nonce: start.nonce, codeVerifier: this.codeVerifier(state) });
    const now = this.clock.now();
    const session = await this.db.transaction(async (tx) => {
      await this.db.lockRow(tx, 'tenants', start.tenantId);
      const agent = await this.agentFor(tx, provider, claims, origin, now);
      if (claims.emailVerified && claims.email && normalizeEmail(claims.email) === agent.email && !agent.emailVerifiedAt) {
        await sqlExecute(tx, 'UPDATE agents SET email_verified_at = ? WHERE id = ? AND email_verified_at IS NULL', [now, agent.id]);
      }
      const issued = await this.accounts.startSession(tx, agent, now, origin);
      const [row] = await sqlRows<{ id: string }>(tx, 'SELECT id FROM sessions WHERE token_hash = ?', [hashSessionToken(issued.token)]);
      const trusted = provider.trustProviderMfa && showsSecondFactor(claims.amr);
      if (trusted) {
        await grantStanding(tx, { sessionId: row.id, agentId: agent.id }, start.tenantId, { source: 'IDENTITY_PROVIDER', method: 'PROVIDER', passedAt: now }, now);
      }
      const detail = JSON.stringify({ issuer: provider.issuer, amr: amrForAudit(claims.amr), standing: trusted ? 'IDENTITY_PROVIDER' : null });
      await recordAudit(tx, now, origin, { tenantId: start.tenantId, action: 'SSO_SIGN_IN', actorAgentId: agent.id, subjectAgentId: agent.id, detail });
      return issued;
    });
    return { kind: 'signed-in', session, returnTo: start.returnTo };
  }

  /** The start of this state, used up now (single use), or a refusal: unknown, used already, or expired. */
  private async consumeStart(state: string): Promise<{ tenantId: string; nonce: string; returnTo: string }> {
    const now = this.clock.now();
    const stateHash = hashSessionToken(state);
    const claimed = await this.db.autocommit((manager) => sqlExecute(manager, 'UPDATE sso_starts SET used_at = ? WHERE state_hash = ? AND used_at IS NULL', [now, stateHash]));
    if (claimed !== 1) throw new Refused('replayed-state');
    const [row] = await sqlRows(this.db.manager, 'SELECT tenant_id, nonce, return_to, expires_at FROM sso_starts WHERE state_hash = ?', [stateHash]);
    if (!row) throw new Refused('replayed-state');
    if (rawDate(row.expires_at)!.getTime() <= now.getTime()) throw new Refused('expired-start');
    return { tenantId: row.tenant_id as string, nonce: row.nonce as string, returnTo: row.return_to as string };
  }

  /**
   * The agent the provider's `sub` names in this tenant: by its link, else (once) by a verified address of the
   * provider's domains, linked then; with justInTimeMembers an unknown address becomes an agent and a member.
   * A provider never signs in an address of another tenant's domains.
   */
  private async agentFor(tx: Tx, provider: { tenantId: string; emailDomains: string[]; justInTimeMembers: boolean }, claims: ProviderClaims, origin: SignInOrigin, now: Date): Promise<AgentEntity> {
    const { tenantId } = provider;
    const [link] = await sqlRows<{ agent_id: string }>(tx, 'SELECT agent_id FROM sso_links WHERE tenant_id = ? AND subject = ?', [tenantId, claims.sub]);
    if (link) {
      const agent = await tx.findOneByOrFail(AgentEntity, { id: link.agent_id });
      await this.assertNotAnotherTenantsDomain(tx, tenantId, agent);
      if (!(await this.isMember(tx, tenantId, agent.id))) throw new Refused('not-a-member');
      return agent;
    }
    if (!claims.email) throw new Refused('no-email');
    const email = normalizeEmail(claims.email);
    const known = await this.accounts.agentByEmail(email);
    await this.assertNotAnotherTenantsDomain(tx, tenantId, known ?? { id: null, email });
    if (!provider.emailDomains.includes(domainOf(email))) throw new Refused('outside-domains');
    const isMember = known ? await this.isMember(tx, tenantId, known.id) : false;
    if (!claims.emailVerified) throw new Refused('email-not-verified', isMember ? { tenantId, agentId: known!.id } : undefined);
    let agent = known;
    if (!agent) {
      if (!provider.justInTimeMembers) throw new Refused('unknown-address');
      // No password anyone knows: the agent signs in through the provider (or sets one with a password reset).
      agent = { ...(await this.accounts.newAgent({ email, password: newLinkToken(), name: displayName(claims, email) }, now)), emailVerifiedAt: now };
      await tx.insert(AgentEntity, agent);
    }
    if (!isMember) {
      if (!provider.justInTimeMembers) throw new Refused('not-a-member');
      await addMembership(tx, tenantId, agent, 'AGENT', now);
      await recordAudit(tx, now, origin, { tenantId, action: 'MEMBER_ADDED', subjectAgentId: agent.id, detail: 'just in time, by the identity provider' });
    }
    const [linkedElsewhere] = await sqlRows(tx, 'SELECT subject FROM sso_links WHERE tenant_id = ? AND agent_id = ?', [tenantId, agent.id]);
    if (linkedElsewhere) throw new Refused('linked-to-another-subject', { tenantId, agentId: agent.id });
    await sqlExecute(tx, 'INSERT INTO sso_links (id, tenant_id, subject, agent_id, created_at) VALUES (?, ?, ?, ?, ?)', [newId(), tenantId, claims.sub, agent.id, now]);
    return agent;
  }

  /** Refused when the address belongs to a domain another tenant's provider serves (audited there, for its member). */
  private async assertNotAnotherTenantsDomain(tx: Tx, tenantId: string, agent: { id: string | null; email: string }): Promise<void> {
    const owner = await this.store.tenantForDomain(tx, domainOf(agent.email));
    if (!owner || owner.tenant.id === tenantId) return;
    const audited = agent.id && (await this.isMember(tx, owner.tenant.id, agent.id));
    throw new Refused('another-tenants-domain', audited ? { tenantId: owner.tenant.id, agentId: agent.id! } : undefined);
  }

  private async isMember(tx: Tx, tenantId: string, agentId: string): Promise<boolean> {
    return (await sqlRows(tx, 'SELECT 1 AS found FROM tenant_memberships WHERE tenant_id = ? AND agent_id = ?', [tenantId, agentId])).length > 0;
  }

  private async auditRefusal(at: { tenantId: string; agentId: string }, reason: string, origin: SignInOrigin): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction((tx) => recordAudit(tx, now, origin, { tenantId: at.tenantId, action: 'SSO_SIGN_IN_REFUSED', subjectAgentId: at.agentId, detail: reason }));
  }

  private get redirectUri(): string {
    return this.publicUrl.link(SSO_CALLBACK_PATH);
  }

  private codeVerifier(state: string): string {
    return derivedSecret(this.secretBox.derivedKeys(VERIFIER_PURPOSE)[0].key, state);
  }
}

function displayName(claims: ProviderClaims, email: string): string {
  const name = (claims.name ?? '').replace(/[\p{Cc}]/gu, '').trim();
  return Array.from(name || email.slice(0, email.lastIndexOf('@'))).slice(0, 200).join('') || email;
}
