import { ResetAgentTwoFactorDocument, RevokeAgentSessionsDocument } from '../../../src/client/generated/graphql';
import { call } from '../api';
import { h, uid } from '../dom';
import { confirmDialog } from './confirm-dialog';

export interface AgentActionsOptions {
  tenantId: string;
  tenantName: string;
  agent: { id: string; name: string; email: string };
  isEnrolled: boolean;
  isMe: boolean;
  /** Runs the admin operation with the page's gate and error handling. */
  act(work: () => Promise<void>): Promise<void>;
  /** Told what happened, after the operation succeeded. */
  done(message: string): Promise<void> | void;
}

/**
 * The reset and revoke buttons of one member, each behind a confirmation dialog. A member with nothing to reset
 * gets the reset button disabled and, beside it, why (also its description for screen readers).
 */
export function agentActions(options: AgentActionsOptions): HTMLElement[] {
  const { tenantId, tenantName, agent, isMe } = options;
  const whyNot = options.isEnrolled ? null : h('span', { class: 'hint', id: uid('reset-reason') }, 'Nothing to reset: two-factor is not set up.');
  const reset = h(
    'button',
    {
      type: 'button',
      class: 'button button-small button-secondary',
      disabled: !options.isEnrolled,
      'aria-describedby': whyNot?.id,
      title: whyNot?.textContent ?? undefined,
      'aria-label': `Reset 2FA for ${agent.name}`,
      onclick: async () => {
        const confirmed = await confirmDialog({
          title: `Reset two-factor for ${agent.name}?`,
          body: `${agent.email} loses their authenticator and recovery codes in ${tenantName}, and their sessions here lose their verification. They set it up again the next time it is required. Other tenants are not affected.${isMe ? ' This is you.' : ''}`,
          confirmLabel: 'Reset 2FA',
        });
        if (!confirmed) return;
        await options.act(async () => {
          await call(ResetAgentTwoFactorDocument, { tenantId, agentId: agent.id });
          await options.done(`Two-factor reset for ${agent.email} in ${tenantName}.`);
        });
      },
    },
    'Reset 2FA',
  );
  const revoke = h(
    'button',
    {
      type: 'button',
      class: 'button button-small button-secondary',
      'aria-label': `Revoke sessions of ${agent.name}`,
      onclick: async () => {
        const confirmed = await confirmDialog({
          title: `Revoke the sessions of ${agent.name}?`,
          body: `Every session of ${agent.email} loses its standing in ${tenantName} and must pass this tenant’s verification again. Other tenants are not affected.${isMe ? ' This is you: this session too.' : ''}`,
          confirmLabel: 'Revoke sessions',
        });
        if (!confirmed) return;
        await options.act(async () => {
          const { revokeAgentSessions: count } = await call(RevokeAgentSessionsDocument, { tenantId, agentId: agent.id });
          await options.done(
            count === 0 ? `${agent.email} had no verified sessions in ${tenantName}.` : `Revoked ${count} ${count === 1 ? 'session' : 'sessions'} of ${agent.email} in ${tenantName}.`,
          );
        });
      },
    },
    'Revoke sessions',
  );
  return whyNot ? [reset, revoke, whyNot] : [reset, revoke];
}
