import { LeaveTenantDocument, MyAccountDocument, SendVerificationEmailDocument } from '../../../src/client/generated/graphql';
import { handleGateError } from '../access';
import { call, GatewayError } from '../api';
import { confirmDialog } from '../components/confirm-dialog';
import { createTenantCard } from '../components/create-tenant-card';
import { myInvitationsCard } from '../components/my-invitations-card';
import { append, busy, h, replace } from '../dom';
import { badge, pageHeading } from '../layout';
import { explain, POLICY_LABELS, ROLE_LABELS } from '../messages';
import { navigate } from '../nav';
import { session } from '../session';
import { app, handleSessionEnded, hasTwoFactorIn, isAdmin, loadHome, type ConsoleTenant } from '../state';
import type { PageContext } from './page';

/**
 * The tenant and workspace picker (opening a workspace runs enterWorkspace on its page), with the invitations
 * waiting for the agent, leaving a tenant, and creating one.
 */
export async function workspacesPage(ctx: PageContext): Promise<void> {
  const [, { me }] = await Promise.all([loadHome(), call(MyAccountDocument, {})]);
  if (!me) throw new GatewayError('UNAUTHENTICATED', 'Signed out.');
  const current = session.workspace;
  // Where the agent turned two-factor on, every workspace of the tenant asks, not only those that require it.
  const ownTwoFactor = new Set(
    (await Promise.all(app.tenants.filter((tenant) => tenant.twoFactorEnabled).map(async (tenant) => ((await hasTwoFactorIn(tenant.id)) ? tenant.id : null)))).filter(
      (id): id is string => id !== null,
    ),
  );
  append(ctx.main, [
    pageHeading(
      'Workspaces',
      'Pick a workspace to work in. A workspace asks for your second factor first when it requires two-factor, or when you turned two-factor on in its tenant.',
    ),
    me.emailVerified ? null : verifyNotice(me.email),
    current ? h('p', { class: 'current-workspace' }, 'You are working in ', h('strong', null, current.name), ` (${current.tenantName}).`) : null,
    myInvitationsCard(me.invitations),
    app.tenants.length === 0 ? h('p', null, 'You are not a member of any tenant yet: accept an invitation, or create a tenant below.') : null,
    app.tenants.map((tenant) => tenantCard(tenant, ownTwoFactor.has(tenant.id))),
    createTenantCard(),
  ]);
}

/** Until the address is verified: where the link went, and a way to get a fresh one. */
function verifyNotice(email: string): HTMLElement {
  const status = h('span', { role: 'status' });
  const resend = h('button', { type: 'button', class: 'button button-link' }, 'Send a new link');
  resend.addEventListener('click', async () => {
    try {
      await busy(resend, () => call(SendVerificationEmailDocument, {}));
      replace(status, ` A new link is on its way to ${email}.`);
    } catch (failure) {
      if (!handleSessionEnded(failure)) replace(status, ` ${explain(failure)}`);
    }
  });
  return h('div', { class: 'notice notice-info' }, h('p', null, 'Verify your address: follow the link we sent to ', h('strong', null, email), '. ', resend, status));
}

function tenantCard(tenant: ConsoleTenant, hasOwnTwoFactor: boolean): HTMLElement {
  const titleId = `tenant-${tenant.id}`;
  const error = h('p', { class: 'form-error', role: 'alert' });
  const leave = h('button', { type: 'button', class: 'button button-danger-text button-small', 'aria-label': `Leave ${tenant.name}` }, 'Leave tenant');
  leave.addEventListener('click', async () => {
    error.textContent = '';
    const confirmed = await confirmDialog({
      title: `Leave ${tenant.name}?`,
      body: 'You lose access to its workspaces, and your second factors there (authenticator app, passkeys, recovery codes) are deleted. Joining again takes a new invitation.',
      confirmLabel: 'Leave tenant',
    });
    if (!confirmed) return;
    try {
      await busy(leave, () => call(LeaveTenantDocument, { tenantId: tenant.id }));
      if (session.workspace?.tenantId === tenant.id) session.workspace = null;
      await loadHome();
      navigate('/', { replace: true, flash: { text: `You left ${tenant.name}.`, tone: 'success' } });
    } catch (failure) {
      if (handleSessionEnded(failure) || (await handleGateError(failure, tenant.id, '/'))) return;
      error.textContent = explain(failure);
    }
  });
  const current = session.workspace;
  return h(
    'section',
    { class: 'card', 'aria-labelledby': titleId },
    h(
      'div',
      { class: 'card-header' },
      h(
        'div',
        null,
        h('h2', { id: titleId }, tenant.name),
        h(
          'p',
          { class: 'card-kicker' },
          `Your role: ${ROLE_LABELS[tenant.viewerRole]} · Two-factor ${tenant.twoFactorEnabled ? 'on' : 'off'} for this tenant`,
          tenant.twoFactorEnabled ? ` · Policy: ${POLICY_LABELS[tenant.twoFactorPolicy]}` : '',
        ),
      ),
      isAdmin(tenant) ? h('a', { class: 'button button-secondary', href: `/admin/${tenant.id}` }, 'Admin console') : null,
    ),
    h(
      'div',
      { class: 'card-body' },
      hasOwnTwoFactor
        ? h('p', { class: 'muted' }, `You turned two-factor on in ${tenant.name}: each of its workspaces asks for your second factor, once per session.`)
        : null,
      tenant.workspaces.length === 0
        ? h('p', null, 'No workspaces you can open in this tenant.')
        : h(
            'ul',
            { class: 'rows', 'aria-label': `Workspaces of ${tenant.name}` },
            tenant.workspaces.map((workspace) =>
              h(
                'li',
                { class: 'row' },
                h(
                  'span',
                  { class: 'row-main' },
                  h('span', { class: 'row-title' }, workspace.name),
                  workspace.twoFactorRequired ? badge('Requires 2FA', 'amber') : null,
                  current?.id === workspace.id ? badge('Current', 'blue') : null,
                ),
                h('a', { class: 'button button-secondary', href: `/workspaces/${workspace.id}`, 'aria-label': `Open ${workspace.name}` }, 'Open'),
              ),
            ),
          ),
      h('div', { class: 'actions' }, leave),
      error,
    ),
  );
}
