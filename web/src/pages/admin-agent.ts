import { TenantAgentDocument, type TenantAgentQuery, type TwoFactorMethod } from '../../../src/client/generated/graphql';
import { handleGateError, requireTenantStanding, withRecentPass } from '../access';
import { call } from '../api';
import { agentActions } from '../components/agent-actions';
import { append, h, replace, time } from '../dom';
import { badge, pageHeading } from '../layout';
import { explain, ROLE_LABELS, STATE_BADGES } from '../messages';
import { app, handleSessionEnded, isAdmin, tenantById } from '../state';
import type { PageContext } from './page';

type Member = NonNullable<NonNullable<TenantAgentQuery['tenant']>['agent']>;

const METHOD_LABELS: Record<TwoFactorMethod, string> = { TOTP: 'Authenticator app', RECOVERY_CODE: 'Recovery codes', PASSKEY: 'Passkey' };

/** One member of a tenant as its admins see it: two-factor state, methods, codes left, last sign-in; reset and revoke. */
export async function adminAgentPage(ctx: PageContext): Promise<void> {
  const [tenantId, agentId] = ctx.params;
  const returnTo = `/admin/${tenantId}/agents/${agentId}`;
  const back = h('p', { class: 'breadcrumb' }, h('a', { href: `/admin/${tenantId}` }, '← Back to the admin console'));
  const known = tenantById(tenantId);
  if (!known || !isAdmin(known)) {
    append(ctx.main, [
      pageHeading('Agent'),
      h('p', { class: 'notice notice-error', role: 'alert' }, known ? 'Your role in this tenant does not allow that: agent details are for owners and admins.' : 'That tenant was not found, or you are not a member of it.'),
    ]);
    return;
  }
  if (!(await requireTenantStanding(tenantId, returnTo))) return;

  const status = h('div', { class: 'page-notice', role: 'status' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const details = h('div');

  const act = async (work: () => Promise<void>): Promise<void> => {
    error.textContent = '';
    try {
      await withRecentPass(tenantId, work); // resets are privileged: a fresh second factor asked here, once
    } catch (failure) {
      if (handleSessionEnded(failure) || (await handleGateError(failure, tenantId, returnTo))) return;
      error.textContent = explain(failure);
    }
  };

  const render = (tenantName: string, member: Member): void => {
    const { agent, twoFactor, lastSignIn } = member;
    const state = STATE_BADGES[twoFactor.state];
    const facts: Array<[string, Node | string]> = [
      ['Email', agent.email],
      ['Role', ROLE_LABELS[member.role]],
      ['Two-factor', badge(state.label, state.tone)],
      ['Methods', twoFactor.methods.length ? twoFactor.methods.map((method) => METHOD_LABELS[method] ?? method).join(', ') : 'None'],
      ['Passkeys', String(twoFactor.passkeys.length)],
      ['Recovery codes left', twoFactor.enabled ? String(twoFactor.recoveryCodesRemaining) : '—'],
      ['Enabled since', twoFactor.confirmedAt ? time(twoFactor.confirmedAt) : '—'],
      [
        'Last sign-in',
        lastSignIn
          ? h('span', null, time(lastSignIn.at), ' ', lastSignIn.usedTwoFactor ? badge('with 2FA', 'emerald') : badge('without 2FA', 'slate'))
          : h('span', { class: 'muted' }, 'Never in this tenant'),
      ],
    ];
    const actions = agentActions({
      tenantId,
      tenantName,
      agent,
      isEnrolled: twoFactor.state !== 'NOT_CONFIGURED',
      isMe: agent.id === app.me?.id,
      act,
      done: async (message) => {
        status.className = 'page-notice notice-success';
        replace(status, h('p', null, message));
        await load();
      },
    });
    replace(
      details,
      h(
        'section',
        { class: 'card', 'aria-label': 'Two-factor status' },
        h('div', { class: 'card-body stack' }, h('dl', { class: 'facts' }, facts.map(([term, value]) => [h('dt', null, term), h('dd', { 'data-fact': term }, value)])), error, h('div', { class: 'actions' }, actions)),
      ),
    );
  };

  const heading = h('div');
  async function load(): Promise<void> {
    await act(async () => {
      const { tenant } = await call(TenantAgentDocument, { tenantId, agentId });
      if (!tenant?.agent) {
        replace(heading, pageHeading('Agent not found'));
        replace(details, h('p', { class: 'notice notice-error', role: 'alert' }, 'No member of this tenant has that id.'));
        return;
      }
      replace(heading, pageHeading(tenant.agent.agent.name, `${tenant.name} · ${ROLE_LABELS[tenant.agent.role].toLowerCase()}`));
      render(tenant.name, tenant.agent);
    });
  }
  await load();
  append(ctx.main, [back, heading, status, details]);
}
