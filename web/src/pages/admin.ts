import { TenantDocument } from '../../../src/client/generated/graphql';
import { handleGateError, requireTenantStanding, withRecentPass } from '../access';
import { call } from '../api';
import { agentsSection } from '../components/agents-section';
import { auditLogSection } from '../components/audit-log-section';
import { invitationsSection } from '../components/invitations-section';
import { identityProviderSection } from '../components/identity-provider-section';
import { issuerSection } from '../components/issuer-section';
import { recoveryCodeVisibilitySection } from '../components/recovery-code-visibility-section';
import { secondFactorLifetimeSection } from '../components/second-factor-lifetime-section';
import { type AdminTenant, twoFactorSettingsSection } from '../components/two-factor-settings-section';
import { append, h, replace } from '../dom';
import { pageHeading, setTitle } from '../layout';
import { explain, ROLE_LABELS } from '../messages';
import type { Tone } from '../nav';
import { app, handleSessionEnded, isAdmin, loadHome, tenantById } from '../state';
import type { PageContext } from './page';

/** The tenants the agent administers. */
export async function adminIndexPage(ctx: PageContext): Promise<void> {
  await loadHome();
  const tenants = app.tenants.filter(isAdmin);
  append(ctx.main, [
    pageHeading('Admin console', 'Tenant two-factor settings, agents and the audit log, for the tenants you own or administer.'),
    tenants.length === 0
      ? h('p', null, 'You are not an owner or admin of any tenant.')
      : h(
          'ul',
          { class: 'rows card' },
          tenants.map((tenant) =>
            h(
              'li',
              { class: 'row' },
              h('span', { class: 'row-main' }, h('span', { class: 'row-title' }, tenant.name), h('span', { class: 'muted' }, ROLE_LABELS[tenant.viewerRole])),
              h('a', { class: 'button button-secondary', href: `/admin/${tenant.id}`, 'aria-label': `Open the admin console of ${tenant.name}` }, 'Open'),
            ),
          ),
        ),
  ]);
}

/**
 * One tenant's admin console. The session first has to stand in the tenant (enterTenant, through the challenge
 * when the gateway asks); every change is an OWNER/ADMIN operation behind that gate.
 */
export async function adminPage(ctx: PageContext): Promise<void> {
  const tenantId = ctx.params[0];
  const returnTo = `/admin/${tenantId}`;
  const known = tenantById(tenantId);
  if (!known || !isAdmin(known)) {
    append(ctx.main, [
      pageHeading('Admin console'),
      h('p', { class: 'notice notice-error', role: 'alert' }, known ? 'Your role in this tenant does not allow that: the admin console is for owners and admins.' : 'That tenant was not found, or you are not a member of it.'),
      h('p', null, h('a', { href: '/admin' }, 'Back to the admin console')),
    ]);
    return;
  }
  if (!(await requireTenantStanding(tenantId, returnTo))) return;
  const loaded = (await call(TenantDocument, { id: tenantId })).tenant;
  if (!loaded) throw new Error('tenant vanished');
  let tenant: AdminTenant = loaded;

  /**
   * Runs an admin operation; a privileged one refused for want of a recent pass asks for the second factor on
   * this page and runs again (withRecentPass), other gate refusals go through the challenge/setup and back, and
   * everything else to `report`.
   */
  const act = async (work: () => Promise<void>, report: (text: string, error: unknown) => void): Promise<void> => {
    try {
      await withRecentPass(tenantId, work);
    } catch (failure) {
      if (handleSessionEnded(failure) || (await handleGateError(failure, tenantId, returnTo))) return;
      report(explain(failure), failure);
    }
  };

  const status = h('div', { class: 'page-notice', role: 'status' });
  const say = (text: string, tone: Tone = 'success') => {
    status.className = `page-notice notice-${tone}`;
    replace(status, h('p', null, text));
  };

  // ---- Two-factor settings: the tenant switch, the policy, each workspace's requirement.
  const settings = twoFactorSettingsSection({ tenant, act, say, changed: () => void refreshAudit() });

  // ---- Agents, with the 2FA filter and the search.
  const agents = agentsSection({ tenant, act, say, changed: () => void refreshAudit() });

  // ---- Invitations: invite by e-mail, and the pending ones.
  const invitations = invitationsSection({ tenant, act, say, changed: () => void refreshAudit() });

  // ---- The issuer authenticator apps show.
  const issuer = issuerSection({
    tenantId,
    issuer: tenant.issuer,
    act,
    changed: (value, message) => {
      tenant = { ...tenant, issuer: value };
      say(message);
      void refreshAudit();
    },
  });

  // ---- Whether agents may view their recovery codes again.
  const recoveryCodes = recoveryCodeVisibilitySection({
    tenantId,
    visibility: tenant.recoveryCodeVisibility,
    replenish: tenant.recoveryCodeReplenish,
    act,
    changed: (message) => {
      say(message);
      void refreshAudit();
      void loadHome(); // the profile page offers "Show recovery codes" from the tenant's setting
    },
  });

  // ---- How long a pass lasts: remembered devices and the tenant's lifetime for a pass.
  const lifetime = secondFactorLifetimeSection({
    tenantId,
    rememberDeviceDays: tenant.rememberDeviceDays,
    secondFactorLifetimeSeconds: tenant.secondFactorLifetimeSeconds,
    act,
    changed: (message) => {
      say(message);
      void refreshAudit();
      void loadHome(); // the challenge offers "Remember this device" from the tenant's days
    },
  });

  // ---- Single sign-on: the tenant's identity provider (set by the OWNER).
  const identityProvider = identityProviderSection({
    tenantId,
    isOwner: tenant.viewerRole === 'OWNER',
    act,
    changed: (message) => {
      say(message);
      void refreshAudit();
    },
  });

  // ---- Audit log, newest first, with its filter and CSV export.
  const audit = auditLogSection({ tenantId, tenantName: tenant.name, act: (work, report) => act(work, (text) => report(text)) });
  const refreshAudit = () => audit.refresh();
  const auditSection = audit.element;

  await Promise.all([agents.load(), invitations.load(), identityProvider.load(), refreshAudit()]);
  setTitle('Admin console', tenant.name);
  append(ctx.main, [pageHeading('Admin console', `${tenant.name} · you are ${ROLE_LABELS[tenant.viewerRole].toLowerCase()}`), status, settings, agents.element, invitations.element, issuer, recoveryCodes, lifetime, identityProvider.element, auditSection]);
}
