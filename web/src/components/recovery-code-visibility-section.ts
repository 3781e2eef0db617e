import { SetTenantRecoveryCodeVisibilityDocument, type RecoveryCodeVisibility } from '../../../src/client/generated/graphql';
import { call } from '../api';
import { busy, h, uid } from '../dom';

/**
 * The tenant's recovery code setting: shown once (kept as keyed hashes only), or viewable again (also kept
 * encrypted), optionally replacing each used code. Going back to shown once deletes every encrypted copy.
 */
export function recoveryCodeVisibilitySection(options: {
  tenantId: string;
  visibility: RecoveryCodeVisibility;
  replenish: boolean;
  act(work: () => Promise<void>, report: (text: string) => void): Promise<void>;
  changed(message: string): void;
}): HTMLElement {
  const title = uid('section');
  const selectId = uid('visibility');
  const select = h(
    'select',
    { id: selectId, name: 'visibility' },
    h('option', { value: 'SHOWN_ONCE' }, 'Shown once'),
    h('option', { value: 'VIEWABLE' }, 'Viewable again (password required)'),
  );
  select.value = options.visibility;
  const replenishId = uid('replenish');
  const replenish = h('input', { type: 'checkbox', id: replenishId, name: 'replenish', checked: options.replenish });
  const sync = () => {
    replenish.disabled = select.value !== 'VIEWABLE';
    if (replenish.disabled) replenish.checked = false;
  };
  select.addEventListener('change', sync);
  sync();
  const error = h('p', { class: 'form-error', role: 'alert' });
  const form = h(
    'form',
    { class: 'stack' },
    h('div', { class: 'field' }, h('label', { for: selectId }, 'Recovery codes'), select),
    h('div', { class: 'checkbox-row' }, replenish, h('label', { for: replenishId }, 'Replace a used code with a fresh one, so each agent keeps 8')),
    h(
      'p',
      { class: 'note' },
      'Viewable keeps each new code encrypted beside its hash, so agents can show their unused codes again after re-entering their password. Codes issued before stay shown-once until regenerated. Going back to shown once deletes every encrypted copy at once; the codes keep working.',
    ),
    error,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-secondary' }, 'Save recovery code setting')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.textContent = '';
    const visibility = select.value as RecoveryCodeVisibility;
    void options.act(
      async () => {
        const { setTenantRecoveryCodeVisibility: tenant } = await busy(form, () =>
          call(SetTenantRecoveryCodeVisibilityDocument, { tenantId: options.tenantId, visibility, replenish: replenish.checked }),
        );
        options.changed(
          tenant.recoveryCodeVisibility === 'VIEWABLE'
            ? `Agents can view their recovery codes again${tenant.recoveryCodeReplenish ? ', and used codes are replaced' : ''}.`
            : 'Recovery codes are shown once. Every encrypted copy was deleted.',
        );
      },
      (text) => (error.textContent = text),
    );
  });
  return h('section', { class: 'card', 'aria-labelledby': title }, h('div', { class: 'card-header' }, h('h2', { id: title }, 'Recovery codes')), h('div', { class: 'card-body' }, form));
}
