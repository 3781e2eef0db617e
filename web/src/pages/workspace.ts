import { enterWorkspace } from '../access';
import { accessTokenCard } from '../components/access-token-card';
import { append, h } from '../dom';
import { pageHeading, setTitle } from '../layout';
import { explain } from '../messages';
import { session } from '../session';
import { handleSessionEnded, hasTwoFactorIn, tenantById, workspaceById } from '../state';
import type { PageContext } from './page';

/** A workspace: opening it is the workspace switch (enterWorkspace), via the challenge or setup page when asked. */
export async function workspacePage(ctx: PageContext): Promise<void> {
  const workspaceId = ctx.params[0];
  const returnTo = `/workspaces/${workspaceId}`;
  const known = workspaceById(workspaceId);
  if (known) setTitle(known.workspace.name, known.tenant.name);
  let access;
  try {
    access = await enterWorkspace(workspaceId, returnTo);
  } catch (failure) {
    if (handleSessionEnded(failure)) return;
    append(ctx.main, [
      pageHeading(known?.workspace.name ?? 'Workspace', known?.tenant.name),
      h('p', { class: 'notice notice-error', role: 'alert' }, explain(failure)),
      h('p', null, h('a', { href: '/' }, 'Back to workspaces')),
    ]);
    return;
  }
  if (!access.granted) return;

  const workspace = access.workspace!;
  setTitle(workspace.name, access.tenant.name);
  session.workspace = { id: workspace.id, name: workspace.name, tenantId: access.tenant.id, tenantName: access.tenant.name };
  const requires = known?.workspace.twoFactorRequired;
  // Not required here, but asked all the same where the agent turned two-factor on: say which, never "not required" alone.
  const ownChoice = !requires && Boolean(tenantById(access.tenant.id)?.twoFactorEnabled) && (await hasTwoFactorIn(access.tenant.id));
  append(ctx.main, [
    pageHeading(workspace.name, access.tenant.name),
    h(
      'div',
      { class: 'card' },
      h(
        'div',
        { class: 'card-body' },
        h('p', { class: 'lead' }, `You’re in ${workspace.name}.`),
        h(
          'p',
          null,
          requires
            ? `${workspace.name} requires two-factor authentication, and this session has passed ${access.tenant.name}’s verification: every workspace of ${access.tenant.name} is open to it without asking again.`
            : ownChoice
              ? `${workspace.name} does not require two-factor authentication, but you turned it on in ${access.tenant.name}, so ${access.tenant.name} asks for it once per session: this session has passed its verification, and every workspace of ${access.tenant.name} is open to it without asking again.`
              : `${workspace.name} does not require two-factor authentication.`,
        ),
        h('div', { class: 'actions' }, h('a', { class: 'button button-secondary', href: '/' }, 'Switch workspace'), h('a', { class: 'button button-quiet', href: '/my/profile/two-factor' }, 'My two-factor settings')),
      ),
    ),
    access.accessToken && accessTokenCard(access.accessToken),
  ]);
}
