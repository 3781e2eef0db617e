import { append, h } from '../dom';
import { badge, pageHeading } from '../layout';
import { POLICY_LABELS, ROLE_LABELS } from '../messages';
import { session } from '../session';
import { app, hasTwoFactorIn, isAdmin, loadHome } from '../state';
import type { PageContext } from './page';

/** The tenant and workspace picker: opening a workspace runs enterWorkspace on its page. */
export async function workspacesPage(ctx: PageContext): Promise<void> {
  await loadHome();
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
    current ? h('p', { class: 'current-workspace' }, 'You are working in ', h('strong', null, current.name), ` (${current.tenantName}).`) : null,
    app.tenants.length === 0 ? h('p', null, 'You are not a member of any tenant yet. Ask an owner or admin to add you.') : null,
    app.tenants.map((tenant) => {
      const titleId = `tenant-${tenant.id}`;
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
          ownTwoFactor.has(tenant.id)
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
        ),
      );
    }),
  ]);
}
